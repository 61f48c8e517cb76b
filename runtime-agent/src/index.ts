// @ucp/runtime-agent — the library a trading worker embeds to read the
// Unified Configuration Platform. It talks to the GraphQL API only
// (PROTOCOL.md is the wire contract); what it shares with the server (value
// decoding, the category → boundary map, backoff, close codes) comes from
// contract/.
export { createRuntimeAgent, FATAL_CLOSE_CODES, type RuntimeAgent, type RuntimeAgentOptions, type ConfigTag, type WorkerMode } from './runtime-agent.ts';
export { ConfigSnapshot, decodeValue, findProblems, type CatalogEntryInfo, type ParameterType, type TypedValue } from './config-snapshot.ts';
export { ApplyScheduler, FORBIDDEN_SECTION_EVENT, FORBIDDEN_SECTIONS, type ForbiddenSection, type ApplyBatch, type ApplySchedulerOptions, type IncomingChange, type PendingChange, type ReceivedVersion } from './apply-scheduler.ts';
export { Boundary, boundaryFor, categoryBoundary, type BoundaryInput, type ParameterCategory } from '../../contract/catalog.ts';
export { AgentEvent, AgentStatus, StatusMachine, type AgentEventDetails, type AgentEventHandler, type ConfigurationChangedDetails, type ReceivedDetails, type SessionFailedDetails, type StatusDetails } from './status.ts';
export type { SessionCodeVersion, SessionInfo, SessionOptions, SessionState } from './session-recorder.ts';
export { AgentError, ApiError, ConfigNotReadyError, InvalidParameterError, TransportError, UndeclaredParameterError, type AgentErrorCode, type ParameterProblem, type ProblemReason } from './errors.ts';
export { backoffDelay, waitBackoff, type RetryOptions } from '../../contract/backoff.ts';
export { defaultLogger, type AgentLogger } from './logger.ts';
export { AgentMetricName, SAVE_TO_APPLY_BUCKETS, SESSION_FAILURE_OUTCOMES, type AgentMetricsOptions, type SessionFailureOutcome } from './agent-metrics.ts';
export type { MetricsRegistry } from './metric-family.ts';
export type { FetchLike } from './graphql-http.ts';
// The OpenFeature provider is a separate entry ('@ucp/runtime-agent/openfeature')
// so a worker that does not speak OpenFeature does not need the SDK installed.
