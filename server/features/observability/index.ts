// The observability slice's face: the read model the dashboards read (time
// series and tables across configuration, approvals and workers, from the
// database so every replica answers the same), the filters they narrow by,
// and the bucketing every time series shares.
export { createObservabilityReads, type ObservabilityReads, type SeriesQuery, type WorkerRow } from './observability-reads.ts';
export { filterDimensions, matchOperators, noFilter, type FilterDimension, type Match, type MatchOperator, type ObservabilityFilter } from './series-filter.ts';
export { bucketIndex, bucketStarts, defaultMaxDataPoints, maxDataPointsCap, timeBuckets, type BucketRequest, type TimeBuckets } from './time-buckets.ts';
export { activityKinds, type ActivityBucket, type ActivityKind } from './activity-counts.ts';
export type { LatencyBucket } from './latency-percentiles.ts';
export type { ConfigChangeRow, RowWindow, VersionRow } from './config-history.ts';
export type { Steps } from './version-history.ts';
