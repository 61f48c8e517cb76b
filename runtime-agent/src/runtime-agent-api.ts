// What a worker configures and what it gets: the agent's options and its
// public interface. createRuntimeAgent (runtime-agent.ts) implements it.
import type { WorkerMode } from '../../contract/protocol.ts';
import type { RetryOptions } from '../../contract/backoff.ts';
import type { AgentMetricsOptions } from './agent-metrics.ts';
import type { ApplyBatch } from './apply-scheduler.ts';
import type { ConfigSnapshot, TypedValue } from './config-snapshot.ts';
import type { SessionInfo, SessionOptions } from './session-recorder.ts';
import type { FetchLike } from './graphql-http.ts';
import type { AgentLogger } from './logger.ts';
import type { AgentEvent, AgentEventHandler, AgentStatus } from './status.ts';

export type { WorkerMode };

export interface RuntimeAgentOptions<N extends string> {
  /** The API's base URL (http://host:port) or its /graphql endpoint. */
  url: string;
  /** A service token of `environment` (sent as `Bearer <token>`). */
  token: string;
  environment: string;
  /** Unique within the environment; a restarted worker re-registers under the same name. */
  workerName: string;
  mode: WorkerMode;
  /** Every parameter the worker reads. Reading any other name throws. */
  consumes: readonly N[];
  /** Stream down longer than this → STALE and the poll fallback. Default 30 000 (architecture §9). */
  stalenessBudgetMs?: number;
  /** Poll period while STALE. Default 5 000. */
  pollIntervalMs?: number;
  /** Status report (and heartbeat boundary) period. Default 10 000. */
  heartbeatIntervalMs?: number;
  /**
   * An apply report leaves after a random delay of up to this many ms. Every
   * worker applies a save at the same moment; spreading their reports keeps
   * them off the server (and off the worker's own next decisions) in one
   * burst. The report carries its own timestamps, so latency figures are
   * unaffected. Default 250; 0 sends it right after the apply.
   */
  applyReportJitterMs?: number;
  /** graphql-ws keep-alive ping period; a missing pong within it closes the socket. Default 10 000. */
  keepAliveMs?: number;
  /** Randomised exponential backoff for reconnects and failed fetches. */
  retry?: RetryOptions;
  logger?: AgentLogger;
  /** A WebSocket constructor; default `ws` (Node 20 has no global WebSocket). */
  webSocketImpl?: unknown;
  fetchImpl?: FetchLike;
  /** Called synchronously when a version becomes visible (after the snapshot swap). */
  onApply?: (batch: ApplyBatch) => void;
  /**
   * The worker's metrics registry (a prom-client `Registry`, or any with its
   * shape); the agent adds its ucp_agent_* series, labelled with
   * `environment` and `worker`, and removes them at close(). Optional: without
   * it nothing is collected, and prom-client is never needed.
   */
  metrics?: AgentMetricsOptions;
  /**
   * PAPER and LIVE: the session binds itself to a parameter set when the
   * agent becomes ready, and every version applied later is recorded as an
   * epoch of it (session-recorder.ts); the code version is frozen into every
   * set. Without it a PAPER or LIVE agent records no session (and logs so).
   */
  session?: SessionOptions;
}

export interface ConfigTag {
  configVersion: number;
}

export interface RuntimeAgent<N extends string = string> {
  /** Loads, validates and registers; resolves with the first snapshot. Rejects with ConfigNotReadyError listing every unusable name. */
  ready(): Promise<ConfigSnapshot<N>>;
  /** NOT_READY, READY, STALE or ERROR (see AgentStatus). */
  readonly status: AgentStatus;
  /** The version the worker's values belong to. */
  readonly appliedVersion: number;
  /** The newest version received (applied or queued). */
  readonly receivedVersion: number;
  /** Consumed parameters whose newer value waits for a restart. */
  readonly pendingRestart: string[];
  /** The paper or live session's recording (undefined without the `session` option). */
  readonly session: SessionInfo | undefined;
  /** The worker's id in the server's registry, once ready() registered it. */
  readonly workerId: string | undefined;
  /** The values in force; inside a cycle, the snapshot pinned at cycleStart(). */
  snapshot(): ConfigSnapshot<N>;
  /** snapshot().get(name). */
  get(name: N): TypedValue;
  /** Pins and returns the snapshot for the cycle. */
  cycleStart(): ConfigSnapshot<N>;
  /** Unpins the snapshot; changes waiting for the cycle end are applied now. */
  cycleEnd(): void;
  /** cycleStart(), fn(snapshot), cycleEnd() even when fn throws. */
  cycle<T>(fn: (snapshot: ConfigSnapshot<N>) => T | Promise<T>): Promise<T>;
  /** A position opened: RISK_LIMIT changes wait until every position is closed. */
  positionOpened(): void;
  /** A position closed; the last one lets waiting RISK_LIMIT changes apply. */
  positionClosed(): void;
  /** A heartbeat boundary: a RISK_LIMIT change that arrived under an open position waits for the next one (the agent's status report counts too). */
  heartbeat(): void;
  /** Order submission, reconciliation…: nothing is applied until the matching exit. */
  enterCriticalSection(): void;
  /** Leaves a critical section entered with enterCriticalSection(). */
  exitCriticalSection(): void;
  /** enterCriticalSection(), fn(), exitCriticalSection() even when fn throws. */
  withCriticalSection<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Registers an event handler; returns the function that removes it. */
  on<E extends AgentEvent>(event: E, handler: AgentEventHandler<E>): () => void;
  /** { configVersion } of the values in force, to attach to every output. */
  tag(): ConfigTag;
  /** Prometheus-style labels: { config_version: "N" }. */
  metricLabels(): { config_version: string };
  /** Resolves when every received version has been handed to the scheduler and every report sent. */
  flush(): Promise<void>;
  /** Stops the stream, timers and polls; records the session's queued epochs and its end (SUCCEEDED, or FAILED from ERROR); reports STOPPED. */
  close(): Promise<void>;
}
