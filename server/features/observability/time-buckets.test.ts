import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketStarts, maxDataPointsCap, timeBuckets } from './time-buckets.ts';

describe('time buckets honour the range, the interval and maxDataPoints', () => {
  it('never more points than asked for, never a finer step than asked for, every stamp inside [from, to)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2_000_000_000_000 }), fc.integer({ min: 1, max: 90 * 86_400_000 }),
      fc.option(fc.integer({ min: 0, max: 86_400_000 })), fc.option(fc.integer({ min: 1, max: 50_000 })),
      (start, rangeMs, intervalMs, maxDataPoints) => {
        const from = new Date(start);
        const to = new Date(start + rangeMs);
        const buckets = timeBuckets({ from, to, intervalMs, maxDataPoints });
        expect(buckets.count).toBeGreaterThanOrEqual(1);
        expect(buckets.count).toBeLessThanOrEqual(Math.min(maxDataPoints ?? 1000, maxDataPointsCap));
        expect(buckets.stepMs).toBeGreaterThanOrEqual(intervalMs ?? 1);
        const starts = bucketStarts(buckets);
        expect(starts[0]).toBe(start);
        expect(starts.at(-1)!).toBeLessThan(to.getTime());
        expect(starts.map((s) => bucketIndex(buckets, s))).toEqual(starts.map((_, i) => i));
      },
    ));
  });

  it('keeps the requested interval when the range fits', () => {
    const from = new Date('2026-12-01T00:00:00Z');
    expect(timeBuckets({ from, to: new Date(from.getTime() + 3600_000), intervalMs: 60_000, maxDataPoints: 1000 })).toMatchObject({ stepMs: 60_000, count: 60 });
    expect(timeBuckets({ from, to: new Date(from.getTime() + 3600_000), intervalMs: 1_000, maxDataPoints: 10 })).toMatchObject({ stepMs: 360_000, count: 10 });
  });
});
