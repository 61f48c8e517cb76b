/**
 * The buckets a time series is cut into: `count` intervals of `stepMs`
 * starting at `from`, each point stamped with its bucket's start. The step is
 * the requested interval, widened until the range fits in `maxDataPoints`
 * points, so a series never has more points than asked for and every stamp
 * lies inside [from, to).
 */
export interface TimeBuckets {
  from: Date;
  to: Date;
  stepMs: number;
  count: number;
}

export interface BucketRequest {
  from: Date;
  to: Date;
  /** What the panel asked for (Grafana's intervalMs); omitted: as fine as maxDataPoints allows. */
  intervalMs?: number | null;
  /** Omitted: `defaultMaxDataPoints`. */
  maxDataPoints?: number | null;
}

export const defaultMaxDataPoints = 1000;
/** A ceiling whatever the request says: one query never builds more points than this per series. */
export const maxDataPointsCap = 10_000;

export function timeBuckets({ from, to, intervalMs, maxDataPoints }: BucketRequest): TimeBuckets {
  const rangeMs = Math.max(1, to.getTime() - from.getTime());
  const points = Math.max(1, Math.min(Math.floor(maxDataPoints ?? defaultMaxDataPoints), maxDataPointsCap));
  // ceil(range / ceil(range / points)) <= points: the widest bucket count allowed.
  const stepMs = Math.max(1, Math.ceil(intervalMs ?? 0), Math.ceil(rangeMs / points));
  return { from, to, stepMs, count: Math.ceil(rangeMs / stepMs) };
}

/** Each bucket's start (Unix ms), oldest first. */
export function bucketStarts({ from, stepMs, count }: TimeBuckets): number[] {
  return Array.from({ length: count }, (_, i) => from.getTime() + i * stepMs);
}

/** The index of the bucket a start time (from SQL's date_bin) belongs to. */
export function bucketIndex({ from, stepMs }: TimeBuckets, startMs: number): number {
  return Math.round((startMs - from.getTime()) / stepMs);
}

/** The bucket width as a PostgreSQL interval literal (date_bin's stride). */
export function strideSql({ stepMs }: TimeBuckets): string {
  return `${stepMs} milliseconds`;
}
