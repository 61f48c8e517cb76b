// The agent a trading worker embeds: loads one environment's active version,
// follows every later version over graphql-ws (gap-free, resumable), applies
// them at safe boundaries through the ApplyScheduler, falls back to polling
// when the stream is down longer than the staleness budget, and reports what
// it received and applied to the server's worker registry.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ApplyScheduler, type ApplyBatch, type IncomingChange } from './apply-scheduler.ts';
import { wait, waitBackoff, type RetryOptions } from './backoff.ts';
import { boundaryFor, type Boundary } from './boundary-policy.ts';
import { ConfigSnapshot, findProblems, type CatalogEntryInfo, type ParameterType, type TypedValue } from './config-snapshot.ts';
import { AgentError, ApiError, ConfigNotReadyError } from './errors.ts';
import { createGraphQLHttp, type FetchLike, type GraphQLHttp } from './graphql-http.ts';
import { createSocketRequests } from './socket-requests.ts';
import { defaultLogger, type AgentLogger } from './logger.ts';
import { AgentEvent, AgentStatus, StatusMachine, type AgentEventHandler } from './status.ts';

export type WorkerMode = 'PAPER' | 'LIVE' | 'BACKTEST' | 'EXPERIMENT';

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
}

export interface ConfigTag {
  configVersion: number;
}

export interface RuntimeAgent<N extends string = string> {
  /** Loads, validates and registers; resolves with the first snapshot. Rejects with ConfigNotReadyError listing every unusable name. */
  ready(): Promise<ConfigSnapshot<N>>;
  readonly status: AgentStatus;
  /** The version the worker's values belong to. */
  readonly appliedVersion: number;
  /** The newest version received (applied or queued). */
  readonly receivedVersion: number;
  /** Consumed parameters whose newer value waits for a restart. */
  readonly pendingRestart: string[];
  readonly workerId: string | undefined;
  /** The values in force; inside a cycle, the snapshot pinned at cycleStart(). */
  snapshot(): ConfigSnapshot<N>;
  get(name: N): TypedValue;
  /** Pins and returns the snapshot for the cycle. */
  cycleStart(): ConfigSnapshot<N>;
  cycleEnd(): void;
  /** cycleStart(), fn(snapshot), cycleEnd() even when fn throws. */
  cycle<T>(fn: (snapshot: ConfigSnapshot<N>) => T | Promise<T>): Promise<T>;
  positionOpened(): void;
  positionClosed(): void;
  heartbeat(): void;
  enterCriticalSection(): void;
  exitCriticalSection(): void;
  withCriticalSection<T>(fn: () => T | Promise<T>): Promise<T>;
  on<E extends AgentEvent>(event: E, handler: AgentEventHandler<E>): () => void;
  /** { configVersion } of the values in force, to attach to every output. */
  tag(): ConfigTag;
  /** Prometheus-style labels: { config_version: "N" }. */
  metricLabels(): { config_version: string };
  /** Resolves when every received version has been handed to the scheduler and every report sent. */
  flush(): Promise<void>;
  /** Stops the stream, timers and polls; reports STOPPED. */
  close(): Promise<void>;
}

interface EntryWire {
  name: string;
  type: ParameterType;
  category: string;
  hotReloadable: boolean;
  deprecated: boolean;
  replacement: { name: string } | null;
  allowedValues: string[];
  minValue: number | null;
  maxValue: number | null;
}

interface ConfigChangedWire {
  environment: string;
  version: number;
  kind: string;
  changedKeys: string[];
  createdAt: string;
  changes?: { name: string; after: string | null }[];
}

const CAPABILITIES = /* GraphQL */ `query RuntimeAgentCapabilities {
  __schema { mutationType { fields { name } } }
  event: __type(name: "ConfigChangedEvent") { fields { name } }
}`;

const LOAD = /* GraphQL */ `query RuntimeAgentLoad($environment: String!, $names: [String!]) {
  environment(name: $environment) {
    activeConfig { version values }
    values(names: $names) {
      name
      entry { name type category hotReloadable deprecated replacement { name } allowedValues minValue maxValue }
    }
  }
}`;

const ACTIVE = /* GraphQL */ `query RuntimeAgentActive($environment: String!) {
  environment(name: $environment) { activeConfig { version values } }
}`;

const VERSION_VALUES = /* GraphQL */ `query RuntimeAgentVersion($environment: String!, $number: Int!) {
  environment(name: $environment) { version(number: $number) { version values } }
}`;

const VERSION_CHANGES = /* GraphQL */ `query RuntimeAgentVersionChanges($environment: String!, $number: Int!) {
  environment(name: $environment) { version(number: $number) { version changes { name after } } }
}`;

const REGISTER = /* GraphQL */ `mutation RuntimeAgentRegister($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`;
const REPORT_STATUS = /* GraphQL */ `mutation RuntimeAgentStatus($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { id environment { activeVersion } } }`;
const REPORT_APPLY = /* GraphQL */ `mutation RuntimeAgentApply($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { id } }`;

function subscriptionQuery(inlineChanges: boolean): string {
  return `subscription RuntimeAgentChanges($environment: String!, $afterVersion: Int) {
  configChanged(environment: $environment, afterVersion: $afterVersion) {
    environment version kind changedKeys createdAt${inlineChanges ? ' changes { name after }' : ''}
  }
}`;
}

function endpoints(url: string): { http: string; ws: string } {
  const base = url.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return { http: `${base}/graphql`, ws: `${base.replace(/^http/, 'ws')}/graphql` };
}

function isCloseEvent(value: unknown): value is { code: number; reason?: string } {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';
}

const REPORT_ATTEMPTS = 4;

/** Close codes after which reconnecting cannot help: refused (4401) or forbidden (4403) credentials. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

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
  } = options;
  const names = [...new Set(consumes)];
  const { http: httpUrl, ws: wsUrl } = endpoints(url);
  const api: GraphQLHttp = createGraphQLHttp({ url: httpUrl, token, fetchImpl });
  const machine = new StatusMachine(logger);
  const stop = new AbortController();
  const capabilities = { reportWorkerApply: false, inlineChanges: false };
  const log = (level: 'debug' | 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown> = {}, message?: string) =>
    logger[level]({ event, env: environment, worker: workerName, ...fields }, message);

  let readyPromise: Promise<ConfigSnapshot<N>> | undefined;
  let catalog = new Map<string, CatalogEntryInfo>();
  let current: ConfigSnapshot<N> | undefined;
  let pinned: ConfigSnapshot<N> | undefined;
  let scheduler: ApplyScheduler | undefined;
  let workerId: string | undefined;
  let client: Client | undefined;
  let unsubscribe: (() => void) | undefined;
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let staleTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let streamDownSince: number | undefined;
  let closed = false;
  let credentialsRefused = false;
  // Reports ride the stream's socket while it is up (authenticated once, no
  // request set-up per report); over HTTP while it is down, and once the
  // agent is closing (a request on the lazy client would open a new socket).
  const socketRequests = createSocketRequests();
  const reportApi: Pick<GraphQLHttp, 'request'> = {
    request: (query, variables) => {
      const streaming = !closed && unsubscribe !== undefined && client !== undefined && streamDownSince === undefined;
      return streaming ? socketRequests.request(client!, query, variables) : api.request(query, variables);
    },
  };

  // Everything that feeds the scheduler runs through one queue, so versions
  // from the stream, a resync and the poll are handled strictly in order.
  let work: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    work = work.then(task).catch((error: unknown) => log('error', 'runtime_agent_task_failed', { err: String(error) }));
    return work;
  };
  // Reports go out in order too: an older applied version must not overwrite a newer one.
  let reports: Promise<void> = Promise.resolve();
  const report = (what: string, send: () => Promise<unknown>, jitterMs = 0) => {
    if (!workerId) return reports;
    reports = reports.then(async () => {
      // Reports leave after the current I/O turn at the earliest: an apply
      // callback (and the other work of this turn) never waits on a request.
      if (jitterMs > 0 && !closed) await wait(Math.random() * jitterMs, stop.signal);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      // A network failure (e.g. a pooled keep-alive connection to a restarted
      // server) is retried a few times; an API refusal is not.
      for (let attempt = 0; ; attempt += 1) {
        try {
          await send();
          return;
        } catch (error) {
          if (error instanceof ApiError || attempt >= REPORT_ATTEMPTS - 1 || closed && attempt > 0) {
            log('warn', 'runtime_agent_report_failed', { report: what, attempts: attempt + 1, err: String(error) });
            return;
          }
          await waitBackoff(attempt, retry, stop.signal); // closing does not wait out a backoff
        }
      }
    });
    return reports;
  };

  const boundaryOf = (name: string): Boundary | undefined => {
    const entry = catalog.get(name);
    return entry ? boundaryFor(entry) : undefined;
  };

  function requireLoaded(): { snapshot: ConfigSnapshot<N>; scheduler: ApplyScheduler } {
    if (!current || !scheduler) throw new AgentError('NOT_READY', 'The runtime agent is not ready: await agent.ready() first.');
    return { snapshot: current, scheduler };
  }

  function statusInput() {
    return {
      workerId,
      status: machine.status,
      receivedVersion: scheduler?.receivedVersion || null,
      appliedVersion: scheduler?.appliedVersion || null,
      pendingRestart: scheduler?.pendingRestart ?? [],
    };
  }
  // Anti-entropy: the status report answers with the environment's active
  // version. If the active version seen at the previous report is still ahead
  // of what arrived, a notification was lost (the stream cannot tell): resync.
  let activeSeen = 0;
  const reportStatus = () => {
    // Captured now, not when the queue gets to it: a status sent after a later
    // apply would carry that apply's version ahead of its own apply report.
    const input = statusInput();
    return report('status', async () => {
      const data = await reportApi.request<{ reportWorkerStatus: { environment: { activeVersion: number } } }>(REPORT_STATUS, { input });
      const seenBefore = activeSeen;
      activeSeen = data.reportWorkerStatus.environment.activeVersion;
      // Only while the stream is up: when it is down, the resume on reconnect
      // (afterVersion) or the poll fallback catches up version by version.
      if (scheduler && !closed && streamDownSince === undefined && seenBefore > scheduler.receivedVersion) {
        log('warn', 'config_notification_missed', { active_version: seenBefore, received_version: scheduler.receivedVersion });
        void enqueue(() => syncToActive('resync').catch((error: unknown) => log('warn', 'config_resync_failed', { err: String(error) })));
      }
    });
  };

  function applied(batch: ApplyBatch): void {
    if (!current) return;
    current = current.with(batch.version, batch.changes);
    const changedKeys = [...batch.changes.keys()].sort();
    log('info', 'config_change_applied', { config_version: batch.version, previous_version: batch.previousVersion, keys: changedKeys, pending_restart: batch.pendingRestart, latency_ms: batch.appliedAt.getTime() - batch.receivedAt.getTime() });
    try {
      onApply?.(batch);
    } catch (error) {
      log('error', 'runtime_agent_handler_failed', { agentEvent: 'onApply', err: String(error) });
    }
    machine.emit(AgentEvent.ConfigurationChanged, { version: batch.version, previousVersion: batch.previousVersion, changedKeys, pendingRestart: batch.pendingRestart, receivedAt: batch.receivedAt, appliedAt: batch.appliedAt });
    if (capabilities.reportWorkerApply) {
      report('apply', () => reportApi.request(REPORT_APPLY, {
        input: { workerId, version: batch.version, receivedAt: batch.receivedAt.toISOString(), appliedAt: batch.appliedAt.toISOString(), keys: changedKeys, pendingRestart: batch.pendingRestart },
      }), applyReportJitterMs);
    } else {
      reportStatus();
    }
  }

  /** Hands one version to the scheduler and tells listeners it arrived. */
  function receive(version: number, changes: IncomingChange[], via: 'stream' | 'resync' | 'poll'): void {
    const { scheduler: s } = requireLoaded();
    const receivedAt = new Date();
    s.receive({ version, changes, receivedAt });
    machine.emit(AgentEvent.Received, { version, changedKeys: changes.map((c) => c.name).sort(), via, receivedAt });
    // Held back (cycle, position, section): the server learns it was received now, applied later.
    if (s.appliedVersion < version) reportStatus();
  }

  /** Brings the agent to `version` from a full snapshot of its values: the consumed names that differ become one change set. */
  function resyncTo(version: number, values: Record<string, string>, via: 'resync' | 'poll'): void {
    const { scheduler: s } = requireLoaded();
    if (version <= s.receivedVersion) return;
    const latest = s.latestValues();
    const changes = names.filter((name) => Object.hasOwn(values, name) && values[name] !== latest.get(name)).map((name) => ({ name, value: values[name] as string }));
    log('info', 'config_resync', { from_version: s.receivedVersion, to_version: version, via, keys: changes.map((c) => c.name) });
    receive(version, changes, via);
  }

  async function fetchVersionValues(version: number): Promise<Record<string, string>> {
    const data = await api.request<{ environment: { version: { values: Record<string, string> } | null } }>(VERSION_VALUES, { environment, number: version });
    if (!data.environment.version) throw new ApiError('API_ERROR', `version ${version} of ${environment} does not exist`);
    return data.environment.version.values;
  }

  async function onEvent(event: ConfigChangedWire): Promise<void> {
    const s = scheduler;
    if (!s || closed || event.version <= s.receivedVersion) return; // a replayed duplicate
    try {
      if (event.version > s.receivedVersion + 1) {
        log('warn', 'config_version_gap', { expected: s.receivedVersion + 1, got: event.version });
        resyncTo(event.version, await fetchVersionValues(event.version), 'resync');
        return;
      }
      const consumed = event.changedKeys.filter((name) => catalog.has(name));
      let changes: IncomingChange[] = [];
      if (consumed.length > 0) {
        let wire = event.changes;
        if (!wire) {
          const data = await api.request<{ environment: { version: { changes: { name: string; after: string | null }[] } | null } }>(VERSION_CHANGES, { environment, number: event.version });
          wire = data.environment.version?.changes ?? [];
        }
        changes = wire.filter((c) => catalog.has(c.name) && c.after !== null).map((c) => ({ name: c.name, value: c.after as string }));
      }
      receive(event.version, changes, 'stream');
    } catch (error) {
      // The version is not lost: the next event is then a gap, and a resync
      // catches up; meanwhile retry a resync to the active version.
      log('warn', 'config_fetch_failed', { config_version: event.version, err: String(error) });
      scheduleResync(0);
    }
  }

  function scheduleResync(attempt: number): void {
    if (closed) return;
    void waitBackoff(attempt, retry, stop.signal).then(() => {
      if (closed) return;
      void enqueue(async () => {
        try {
          await syncToActive('resync');
        } catch (error) {
          log('warn', 'config_resync_failed', { attempt, err: String(error) });
          scheduleResync(attempt + 1);
        }
      });
    });
  }

  async function syncToActive(via: 'resync' | 'poll'): Promise<void> {
    const data = await api.request<{ environment: { activeConfig: { version: number; values: Record<string, string> } | null } }>(ACTIVE, { environment });
    const active = data.environment.activeConfig;
    if (active && scheduler && active.version > scheduler.receivedVersion) resyncTo(active.version, active.values, via);
  }

  function fail(error: unknown, fatal: boolean): void {
    credentialsRefused ||= (isCloseEvent(error) && error.code === 4401) || (error instanceof ApiError && error.code === 'UNAUTHENTICATED');
    const message = error instanceof Error ? error.message : isCloseEvent(error) ? `socket closed ${error.code}: ${error.reason ?? ''}` : JSON.stringify(error);
    log('error', 'runtime_agent_error', { fatal, err: message });
    machine.transition(AgentStatus.Error, { message, fatal });
    if (fatal) stopBackground();
    if (!credentialsRefused) void reportStatus();
  }

  // ---------------------------------------------------------------- stream
  function streamDown(initial = false): void {
    activeSeen = 0;
    if (closed || streamDownSince !== undefined) return;
    streamDownSince = Date.now();
    if (!initial) log('warn', 'listen_disconnected');
    staleTimer = setTimeout(() => {
      if (closed) return;
      log('warn', 'config_stream_stale', { down_ms: Date.now() - (streamDownSince ?? Date.now()) });
      if (machine.status === AgentStatus.Ready) machine.transition(AgentStatus.Stale, { message: `change stream down for more than ${stalenessBudgetMs} ms` });
      void reportStatus();
      poll();
    }, stalenessBudgetMs);
    staleTimer.unref?.();
  }

  function streamUp(): void {
    // The resumed subscription replays what was missed; judge lag afresh.
    activeSeen = 0;
    clearTimeout(staleTimer);
    clearTimeout(pollTimer);
    staleTimer = pollTimer = undefined;
    if (streamDownSince !== undefined && streamWasUp) log('info', 'listen_reconnect', { down_ms: Date.now() - streamDownSince });
    streamWasUp = true;
    streamDownSince = undefined;
    if (machine.status === AgentStatus.Stale) {
      machine.transition(AgentStatus.Ready);
      void reportStatus();
    }
  }

  function poll(): void {
    if (closed || streamDownSince === undefined) return;
    void enqueue(async () => {
      try {
        await syncToActive('poll');
      } catch (error) {
        log('warn', 'config_poll_failed', { err: String(error) });
      }
    }).then(() => {
      if (closed || streamDownSince === undefined) return;
      pollTimer = setTimeout(poll, pollIntervalMs);
      pollTimer.unref?.();
    });
  }

  // The sockets the agent opens: a handshake held by a partition fails after
  // handshakeTimeout (and is retried) instead of hanging; an aborted handshake's
  // 'error' is reported through the close that follows, never thrown.
  const Impl = webSocketImpl as typeof WebSocket;
  class AgentWebSocket extends Impl {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: Math.max(keepAliveMs, 1_000) });
      if (typeof (this as { on?: unknown }).on === 'function') this.on('error', () => {});
    }
  }
  let streamWasUp = false;
  function startStream(): void {
    // Until the first connection is acknowledged the stream is down: a
    // handshake a partition holds must not leave the agent READY for ever.
    streamDown(true);
    const variables: { environment: string; afterVersion: number } = { environment, afterVersion: scheduler?.receivedVersion ?? 0 };
    let pingTimeout: NodeJS.Timeout | undefined;
    client = createClient({
      url: wsUrl,
      webSocketImpl: AgentWebSocket,
      lazy: true,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: retry.attempts ?? Number.POSITIVE_INFINITY,
      retryWait: (retries) => waitBackoff(retries, retry, stop.signal),
      shouldRetry: (errOrClose) => !closed && !(isCloseEvent(errOrClose) && FATAL_CLOSE_CODES.has(errOrClose.code)),
      keepAlive: keepAliveMs,
      on: {
        // graphql-ws re-sends the same payload object on every reconnect: the
        // resume point is updated in place so the server replays exactly the
        // versions after the last one received (queued ones are not lost: they
        // live in the scheduler).
        connected: () => {
          variables.afterVersion = scheduler?.receivedVersion ?? variables.afterVersion;
          streamUp();
        },
        closed: () => {
          clearTimeout(pingTimeout);
          streamDown();
          socketRequests.failAll('the socket closed before the server answered');
        },
        // A silently dead socket: no pong within the keep-alive period.
        ping: (received) => {
          if (received) return;
          pingTimeout = setTimeout(() => {
            // A dead link answers no close frame either: close() would wait for
            // ws's 30 s close timeout before 'closed' fires. Drop it now.
            const socket = activeSocket as { terminate?(): void; close(code: number, reason: string): void } | undefined;
            if (socket?.terminate) socket.terminate();
            else socket?.close(4408, 'Pong timeout');
          }, keepAliveMs);
          pingTimeout.unref?.();
        },
        pong: (received) => {
          if (received) clearTimeout(pingTimeout);
        },
        opened: (socket) => {
          activeSocket = socket as { close(code: number, reason: string): void };
        },
      },
    });
    let activeSocket: { close(code: number, reason: string): void } | undefined;
    unsubscribe = client.subscribe<{ configChanged: ConfigChangedWire }>(
      { query: subscriptionQuery(capabilities.inlineChanges), variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            const code = (result.errors[0] as { extensions?: { code?: string } }).extensions?.code;
            fail(new ApiError(code === 'FORBIDDEN' ? 'FORBIDDEN' : 'API_ERROR', result.errors.map((e) => e.message).join('; '), code), code === 'FORBIDDEN' || code === 'UNAUTHENTICATED');
            return;
          }
          const event = result.data?.configChanged;
          if (event) void enqueue(() => onEvent(event));
        },
        error: (error) => {
          if (closed) return;
          const fatal = isCloseEvent(error) ? FATAL_CLOSE_CODES.has(error.code) : true;
          fail(error, fatal);
        },
        complete: () => {
          if (!closed) log('warn', 'config_stream_completed');
        },
      },
    );
  }

  function stopBackground(): void {
    clearInterval(heartbeatTimer);
    clearTimeout(staleTimer);
    clearTimeout(pollTimer);
    heartbeatTimer = staleTimer = pollTimer = undefined;
    unsubscribe?.();
    unsubscribe = undefined;
  }

  // ---------------------------------------------------------------- ready
  async function load(): Promise<ConfigSnapshot<N>> {
    try {
      const schema = await api.request<{ __schema: { mutationType: { fields: { name: string }[] } | null }; event: { fields: { name: string }[] } | null }>(CAPABILITIES);
      capabilities.reportWorkerApply = !!schema.__schema.mutationType?.fields.some((f) => f.name === 'reportWorkerApply');
      capabilities.inlineChanges = !!schema.event?.fields.some((f) => f.name === 'changes');
    } catch (error) {
      if (error instanceof ApiError && error.fatal) throw error;
      log('warn', 'runtime_agent_capabilities_unknown', { err: String(error) });
    }
    const data = await api.request<{ environment: { activeConfig: { version: number; values: Record<string, string> } | null; values: { name: string; entry: EntryWire | null }[] } }>(LOAD, { environment, names });
    catalog = new Map();
    for (const { entry } of data.environment.values) {
      if (entry) catalog.set(entry.name, { ...entry, replacement: entry.replacement?.name ?? null, allowedValues: Object.freeze([...entry.allowedValues]) });
    }
    const version = data.environment.activeConfig?.version ?? 0;
    const values = data.environment.activeConfig?.values ?? {};
    // ADR-25: every unusable name at once, before anything is registered or read.
    const problems = findProblems(names, catalog, values);
    if (problems.length > 0) throw new ConfigNotReadyError(problems);
    const registered = await api.request<{ registerWorker: { id: string } }>(REGISTER, { input: { name: workerName, mode, consumes: names } });
    workerId = registered.registerWorker.id;
    current = new ConfigSnapshot<N>({ version, consumes: names, catalog, values });
    const bootValues: Record<string, string> = { ...current.values };
    scheduler = new ApplyScheduler({ appliedVersion: version, bootValues, boundaryOf, onApply: applied, logger });
    if (closed) throw new AgentError('CLOSED', 'The runtime agent was closed during ready().');
    startStream();
    heartbeatTimer = setInterval(() => {
      scheduler?.heartbeat();
      void reportStatus();
    }, heartbeatIntervalMs);
    heartbeatTimer.unref?.();
    machine.transition(AgentStatus.Ready);
    log('info', 'runtime_agent_ready', { config_version: version, worker_id: workerId, consumes: names.length, capabilities });
    void reportStatus();
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
      return scheduler?.appliedVersion ?? 0;
    },
    get receivedVersion() {
      return scheduler?.receivedVersion ?? 0;
    },
    get pendingRestart() {
      return scheduler?.pendingRestart ?? [];
    },
    get workerId() {
      return workerId;
    },
    snapshot() {
      return pinned ?? requireLoaded().snapshot;
    },
    get(name) {
      return agent.snapshot().get(name);
    },
    cycleStart() {
      const loaded = requireLoaded();
      loaded.scheduler.cycleStart();
      pinned = loaded.snapshot;
      return pinned;
    },
    cycleEnd() {
      const loaded = requireLoaded();
      pinned = undefined;
      loaded.scheduler.cycleEnd();
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
      await work;
      await reports;
    },
    async close() {
      if (closed) return;
      closed = true;
      stop.abort();
      stopBackground();
      await work;
      if (workerId && !credentialsRefused) {
        await report('stopped', () => api.request(REPORT_STATUS, { input: { ...statusInput(), status: 'STOPPED' } }));
      }
      await reports;
      // dispose() awaits a pending connection attempt, which never settles while
      // a partition holds the handshake: terminate drops it whatever its state.
      client?.terminate();
      await Promise.resolve(client?.dispose()).catch(() => {});
    },
  };
  return agent;
}
