// The agent a trading worker embeds: the facade the worker sees. It loads one
// environment's active version, then composes the pieces that keep it
// current: the connection (agent-connection.ts), the change stream with
// resync and the poll fallback (change-stream.ts), the ApplyScheduler that
// holds each change until its safe boundary, and the reporter that tells the
// server's worker registry what was received and applied (reporter.ts).
import WebSocket from 'ws';
import { wait } from '../../contract/backoff.ts';
import { boundaryFor, type Boundary } from '../../contract/catalog.ts';
import { FATAL_CLOSE_CODES, SocketCloseCode, type StatusReportMessage } from '../../contract/protocol.ts';
import { createAgentConnection, isCloseEvent, type AgentConnection } from './agent-connection.ts';
import { createAgentMetrics } from './agent-metrics.ts';
import { ApplyScheduler, type ApplyBatch, type IncomingChange } from './apply-scheduler.ts';
import { createChangeStream, type ChangeStream, type ReceivedVia } from './change-stream.ts';
import { ConfigSnapshot, type CatalogEntryInfo } from './config-snapshot.ts';
import { AgentError, ApiError, ConfigNotReadyError } from './errors.ts';
import { createGraphQLHttp, type FetchLike } from './graphql-http.ts';
import { loadConfiguration } from './load-configuration.ts';
import { defaultLogger, type AgentLog } from './logger.ts';
import { createReporter } from './reporter.ts';
import { createSessionRecorder, type SessionRecorder } from './session-recorder.ts';
import type { RuntimeAgent, RuntimeAgentOptions } from './runtime-agent-api.ts';
import { AgentEvent, AgentStatus, StatusMachine } from './status.ts';
import { endpoints } from './wire-documents.ts';

export type { ConfigTag, RuntimeAgent, RuntimeAgentOptions, WorkerMode } from './runtime-agent-api.ts';
/** Close codes after which reconnecting cannot help (contract/protocol.ts): refused (4401) or forbidden (4403) credentials. */
export { FATAL_CLOSE_CODES };

/** What exists once ready() has loaded and registered. */
interface Loaded<N extends string> {
  scheduler: ApplyScheduler;
  stream: ChangeStream;
  connection: AgentConnection;
  heartbeat: NodeJS.Timeout;
  /** The snapshot the worker reads outside a cycle; replaced on every apply. */
  current: ConfigSnapshot<N>;
}

export function createRuntimeAgent<const N extends string>(options: RuntimeAgentOptions<N>): RuntimeAgent<N> {
  const {
    url,
    token,
    environment,
    workerName,
    mode,
    consumes,
    stalenessBudgetMs = 30_000,
    pollIntervalMs = 5_000,
    heartbeatIntervalMs = 10_000,
    applyReportJitterMs = 250,
    keepAliveMs = 10_000,
    retry = {},
    logger = defaultLogger(),
    webSocketImpl = WebSocket,
    fetchImpl = globalThis.fetch as unknown as FetchLike,
    onApply,
    metrics: metricsOptions,
    session: sessionOptions,
  } = options;
  const names = [...new Set(consumes)];
  const { http: httpUrl, ws: wsUrl } = endpoints(url);
  const http = createGraphQLHttp({ url: httpUrl, token, fetchImpl });
  const machine = new StatusMachine(logger);
  const stop = new AbortController();
  const log: AgentLog = (level, event, fields = {}) => logger[level]({ event, env: environment, worker: workerName, ...fields });
  const metrics = metricsOptions && createAgentMetrics({
    ...metricsOptions,
    environment,
    workerName,
    state: () => ({
      status: machine.status, appliedVersion: agent.appliedVersion, receivedVersion: agent.receivedVersion, pendingRestarts: agent.pendingRestart.length,
      sessionEpochsPending: recorder?.info.pendingEpochs,
    }),
  });

  let readyPromise: Promise<ConfigSnapshot<N>> | undefined;
  let loaded: Loaded<N> | undefined;
  let pinned: ConfigSnapshot<N> | undefined;
  let workerId: string | undefined;
  let closed = false;
  let credentialsRefused = false;

  // Over the stream's socket while it is up; over HTTP while it is down and
  // once the agent is closing (a request on the lazy client would reopen it).
  const socketUp = () => (!closed && loaded?.stream.up ? loaded.connection : undefined);
  const reporter = createReporter({
    http,
    socket: socketUp,
    confirmed: () => loaded?.connection.confirmed(),
    applyReportJitterMs,
    retry,
    signal: stop.signal,
    log,
    onActiveVersion: (active) => loaded?.stream.activeVersionSeen(active),
  });

  const route = () => socketUp() ?? http;
  const sessionKind = mode === 'PAPER' || mode === 'LIVE' ? mode : undefined;
  const recorder: SessionRecorder | undefined = sessionKind && sessionOptions
    ? createSessionRecorder({
      transport: route, environment, kind: sessionKind, workerName, session: sessionOptions, jitterMs: applyReportJitterMs, retry, log,
      onRecorded: () => metrics?.sessionRecorded(),
      onFailure: (outcome) => metrics?.sessionFailure(outcome),
      onFailed: (message) => machine.emit(AgentEvent.SessionFailed, { runId: recorder!.info.runId, message }),
    })
    : undefined;

  function requireLoaded(): Loaded<N> {
    if (!loaded) throw new AgentError('NOT_READY', 'The runtime agent is not ready: await agent.ready() first.');
    return loaded;
  }

  function statusInput(id: string): StatusReportMessage {
    return {
      workerId: id,
      status: machine.status,
      receivedVersion: loaded?.scheduler.receivedVersion || null,
      appliedVersion: loaded?.scheduler.appliedVersion || null,
      pendingRestart: loaded?.scheduler.pendingRestart ?? [],
    };
  }
  // Captured now, not when the queue gets to it: a status sent after a later
  // apply would carry that apply's version ahead of its own apply report.
  const reportStatus = () => (workerId ? reporter.status(statusInput(workerId)) : reporter.drained());

  function applied(batch: ApplyBatch): void {
    if (!loaded) return;
    loaded.current = loaded.current.with(batch.version, batch.changes);
    metrics?.applied(batch);
    const changedKeys = [...batch.changes.keys()].sort();
    log('info', 'config_change_applied', { config_version: batch.version, previous_version: batch.previousVersion, keys: changedKeys, pending_restart: batch.pendingRestart, latency_ms: batch.appliedAt.getTime() - batch.receivedAt.getTime() });
    try {
      onApply?.(batch);
    } catch (error) {
      log('error', 'runtime_agent_handler_failed', { agentEvent: 'onApply', err: String(error) });
    }
    machine.emit(AgentEvent.ConfigurationChanged, { version: batch.version, previousVersion: batch.previousVersion, changedKeys, pendingRestart: batch.pendingRestart, receivedAt: batch.receivedAt, appliedAt: batch.appliedAt });
    recorder?.applied(batch.version, batch.appliedAt, workerId);
    if (workerId) {
      void reporter.apply({ workerId, version: batch.version, receivedAt: batch.receivedAt.toISOString(), appliedAt: batch.appliedAt.toISOString(), keys: changedKeys, pendingRestart: batch.pendingRestart });
    }
  }

  /** Hands one version to the scheduler and tells listeners it arrived. */
  function receive(scheduler: ApplyScheduler, version: number, changes: IncomingChange[], via: ReceivedVia, createdAt?: Date): void {
    const receivedAt = new Date();
    scheduler.receive({ version, changes, receivedAt, createdAt });
    machine.emit(AgentEvent.Received, { version, changedKeys: changes.map((c) => c.name).sort(), via, receivedAt });
    // Held back (cycle, position, section): the server learns it was received now, applied later.
    if (scheduler.appliedVersion < version) void reportStatus();
  }

  function fail(error: unknown, fatal: boolean): void {
    credentialsRefused ||= (isCloseEvent(error) && error.code === SocketCloseCode.Unauthorized) || (error instanceof ApiError && error.code === 'UNAUTHENTICATED');
    const message = error instanceof Error ? error.message : isCloseEvent(error) ? `socket closed ${error.code}: ${error.reason ?? ''}` : JSON.stringify(error);
    log('error', 'runtime_agent_error', { fatal, err: message });
    machine.transition(AgentStatus.Error, { message, fatal });
    if (fatal) stopBackground();
    if (!credentialsRefused) void reportStatus();
  }

  function stopBackground(): void {
    if (!loaded) return;
    clearInterval(loaded.heartbeat);
    loaded.stream.stop();
  }

  async function load(): Promise<ConfigSnapshot<N>> {
    const configuration = await loadConfiguration({ http, environment, names, workerName, mode });
    const { version, values, catalog } = configuration;
    workerId = configuration.workerId;
    const current = new ConfigSnapshot<N>({ version, consumes: names, catalog, values });
    const boundaryOf = (name: string): Boundary | undefined => {
      const entry: CatalogEntryInfo | undefined = catalog.get(name);
      return entry ? boundaryFor(entry) : undefined;
    };
    const scheduler = new ApplyScheduler({
      appliedVersion: version, bootValues: { ...current.values }, boundaryOf, onApply: applied, logger,
      onForbiddenSection: (section) => metrics?.forbiddenSection(section),
    });
    if (closed) throw new AgentError('CLOSED', 'The runtime agent was closed during ready().');
    const connection = createAgentConnection({
      url: wsUrl,
      token,
      webSocketImpl,
      keepAliveMs,
      retry,
      signal: stop.signal,
      onConnected: () => stream.connected(),
      onClosed: () => stream.disconnected(),
      onPostedLost: (inputs) => reporter.lost(inputs),
      onPostedRefused: (input, error) => reporter.refused(input, error),
    });
    const stream = createChangeStream({
      connection,
      http,
      environment,
      names,
      consumed: (name) => catalog.has(name),
      scheduler,
      receive: (v, changes, via, createdAt) => receive(scheduler, v, changes, via, createdAt),
      stalenessBudgetMs,
      pollIntervalMs,
      retry,
      signal: stop.signal,
      log,
      onStale: () => {
        if (machine.status === AgentStatus.Ready) machine.transition(AgentStatus.Stale, { message: `change stream down for more than ${stalenessBudgetMs} ms` });
        void reportStatus();
      },
      onFresh: () => {
        if (machine.status !== AgentStatus.Stale) return;
        machine.transition(AgentStatus.Ready);
        void reportStatus();
      },
      onError: fail,
    });
    const heartbeat = setInterval(() => {
      scheduler.heartbeat();
      void reportStatus();
    }, heartbeatIntervalMs);
    heartbeat.unref?.();
    loaded = { scheduler, stream, connection, heartbeat, current };
    stream.start();
    machine.transition(AgentStatus.Ready);
    log('info', 'runtime_agent_ready', { config_version: version, worker_id: workerId, consumes: names.length });
    // Queued, not awaited: ready() costs the session one request, sent after it resolves.
    if (recorder) recorder.start(version, new Date(), workerId);
    else if (sessionKind) log('warn', 'runtime_agent_session_not_recorded', { reason: 'no session option (codeVersion): this session has no lineage' });
    // No status report here: the registration recorded READY at this version.
    return current;
  }

  const agent: RuntimeAgent<N> = {
    ready() {
      readyPromise ??= load().catch((error: unknown) => {
        const fatal = error instanceof ConfigNotReadyError || (error instanceof ApiError && (error.fatal || error.apiCode === 'VALIDATION_FAILED'));
        fail(error, fatal);
        if (!fatal) readyPromise = undefined; // a transient failure may be retried by calling ready() again
        throw error;
      });
      return readyPromise;
    },
    get status() {
      return machine.status;
    },
    get appliedVersion() {
      return loaded?.scheduler.appliedVersion ?? 0;
    },
    get receivedVersion() {
      return loaded?.scheduler.receivedVersion ?? 0;
    },
    get pendingRestart() {
      return loaded?.scheduler.pendingRestart ?? [];
    },
    get workerId() {
      return workerId;
    },
    get session() {
      return recorder?.info;
    },
    snapshot: () => pinned ?? requireLoaded().current,
    get: (name) => agent.snapshot().get(name),
    cycleStart() {
      const { scheduler, current } = requireLoaded();
      scheduler.cycleStart();
      pinned = current;
      return pinned;
    },
    cycleEnd() {
      const { scheduler } = requireLoaded();
      pinned = undefined;
      scheduler.cycleEnd();
    },
    async cycle(fn) {
      const snapshot = agent.cycleStart();
      try {
        return await fn(snapshot);
      } finally {
        agent.cycleEnd();
      }
    },
    positionOpened: () => requireLoaded().scheduler.positionOpened(),
    positionClosed: () => requireLoaded().scheduler.positionClosed(),
    heartbeat: () => requireLoaded().scheduler.heartbeat(),
    enterCriticalSection: () => requireLoaded().scheduler.enterCriticalSection(),
    exitCriticalSection: () => requireLoaded().scheduler.exitCriticalSection(),
    withCriticalSection: (fn) => requireLoaded().scheduler.withCriticalSection(fn),
    on: (event, handler) => machine.on(event, handler),
    tag: () => ({ configVersion: agent.snapshot().version }),
    metricLabels: () => ({ config_version: String(agent.snapshot().version) }),
    async flush() {
      await loaded?.stream.drained();
      await reporter.drained();
      await recorder?.drained();
    },
    async close() {
      if (closed) return;
      closed = true;
      // Reports posted on the socket are confirmed while it is up: stopping
      // the stream closes it, and a report it still held would be sent again
      // over HTTP (a fleet shutting down would send its last few versions'
      // reports twice). A server that does not answer holds the close up
      // for one keep-alive period at most.
      if (loaded) {
        const confirmed = new AbortController();
        await Promise.race([loaded.connection.confirmed().finally(() => confirmed.abort()), wait(keepAliveMs, confirmed.signal)]);
      }
      stop.abort();
      stopBackground();
      await loaded?.stream.drained();
      if (loaded && !credentialsRefused) {
        const failed = machine.status === AgentStatus.Error;
        await recorder?.end(failed ? { status: 'FAILED', message: 'the runtime agent closed in ERROR' } : { status: 'SUCCEEDED' });
      }
      if (workerId && !credentialsRefused) await reporter.stopped({ ...statusInput(workerId), status: 'STOPPED' });
      await reporter.drained();
      await loaded?.connection.close();
      metrics?.close();
    },
  };
  return agent;
}
