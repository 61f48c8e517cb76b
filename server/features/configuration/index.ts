// The configuration slice's face: the one write path (writer), the service
// behind edits, restores and promotions, the read model of environments and
// versions, and the few helpers other slices build on.
export { createConfigWriter, type ConfigWriter, type ConfigWriterDeps, type FreezeGuard, type WriteOutcome, type WriteRequest } from './config-writer.ts';
export { createConfigService, type ConfigService } from './config-service.ts';
export { createConfigReads, type ConfigReads, type VersionFilter } from './config-reads.ts';
export { diffSnapshots, type ValueDiff } from './diff-snapshots.ts';
export { findEnvironment, type EnvironmentState } from './find-environment.ts';
export { lockEnvironment, type LockedEnvironment } from './lock-environment.ts';
export { typedValue, type ParameterValue } from './parameter-value.ts';
export { readSnapshot } from './read-snapshot.ts';
export { createSnapshotCache, type SnapshotCache } from './snapshot-cache.ts';
export { readVersionEvents } from './read-version-events.ts';
export { versionEventInNotification } from './version-event-in-notification.ts';
export type { ConfigChangedEvent } from '../../realtime/pubsub.ts';
export type { ValueMap } from './value-map.ts';
export { violationsError } from './violations-error.ts';
