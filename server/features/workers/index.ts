// The workers slice's face: the registry service, the group-committed apply
// report writer, the read model the schema and dashboards read, the worker
// states (with coverage) the per-worker gauges and Grafana share, and the one
// lag rule both the Worker fields and the lagging-workers gauge apply.
export type { RegisterWorkerInput, WorkerStatusReport, WorkerServiceDeps } from './worker-service.ts';
export { createWorkerService, type WorkerService } from './worker-service.ts';
export { createApplyReportWriter, type ApplyReportWriter, type ApplyReporter, type WorkerApplyReport } from './apply-report-writer.ts';
export { createWorkerReads, type VersionKey, type WorkerReads } from './worker-reads.ts';
export { coverageRatio, readWorkerStates, workerStateDefaults, type WorkerState, type WorkerStateOptions } from './worker-states.ts';
export { firstUnappliedVersion, lagThresholds, versionsBehind, workerLag, type LagInputs, type WorkerLag } from './lag-rule.ts';
export type { WorkerStatusChangedEvent } from '../../realtime/pubsub.ts';
