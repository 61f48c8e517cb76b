import { describe, expect, it } from 'vitest';
import { firstUnappliedVersion, lagThresholds, workerLag } from './lag-rule.ts';

const now = new Date('2026-12-01T12:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

/** The lag rule (architecture §11) at its boundaries: more than 3 versions or 60 seconds behind. */
describe('workerLag', () => {
  it('calls a worker that never applied anything starting, not lagging', () => {
    expect(workerLag({ activeVersion: 9, appliedVersion: null, nextVersionSavedAt: null }, now)).toEqual({ versions: null, seconds: null, lagging: false });
  });

  it('is 0 versions and 0 seconds when up to date, whatever the clock', () => {
    expect(workerLag({ activeVersion: 5, appliedVersion: 5, nextVersionSavedAt: null }, now)).toEqual({ versions: 0, seconds: 0, lagging: false });
  });

  it('lags past 3 versions, not at 3', () => {
    const recent = secondsAgo(1);
    expect(workerLag({ activeVersion: 8, appliedVersion: 5, nextVersionSavedAt: recent }, now)).toMatchObject({ versions: lagThresholds.versions, lagging: false });
    expect(workerLag({ activeVersion: 9, appliedVersion: 5, nextVersionSavedAt: recent }, now)).toMatchObject({ versions: 4, lagging: true });
  });

  it('lags past 60 seconds since the first unapplied version was saved, not at 60', () => {
    expect(workerLag({ activeVersion: 6, appliedVersion: 5, nextVersionSavedAt: secondsAgo(60) }, now)).toEqual({ versions: 1, seconds: 60, lagging: false });
    expect(workerLag({ activeVersion: 6, appliedVersion: 5, nextVersionSavedAt: secondsAgo(60.5) }, now)).toEqual({ versions: 1, seconds: 60.5, lagging: true });
  });

  it('reads a save time in the future (clock skew) as 0 seconds, and an unknown one as null', () => {
    expect(workerLag({ activeVersion: 6, appliedVersion: 5, nextVersionSavedAt: secondsAgo(-5) }, now).seconds).toBe(0);
    expect(workerLag({ activeVersion: 6, appliedVersion: 5, nextVersionSavedAt: null }, now)).toEqual({ versions: 1, seconds: null, lagging: false });
  });

  it('needs the save time of the first unapplied version only when the worker is behind', () => {
    expect(firstUnappliedVersion(5, null)).toBeNull();
    expect(firstUnappliedVersion(5, 5)).toBeNull();
    expect(firstUnappliedVersion(5, 2)).toBe(3);
  });
});
