// Every version of one environment, in order and once, into the scheduler:
// the configChanged subscription resumed with afterVersion on every
// reconnect, a resync from a full snapshot when a version is missing, and the
// poll fallback while the stream has been down longer than the staleness
// budget. All of it runs through one queue, so versions from the stream, a
// resync and the poll reach the scheduler strictly in order.
import { waitBackoff, type RetryOptions } from '../../contract/backoff.ts';
import { isFatalCloseCode, versionStep } from '../../contract/protocol.ts';
import type { ApplyScheduler, IncomingChange } from './apply-scheduler.ts';
import type { AgentConnection } from './agent-connection.ts';
import { isCloseEvent } from './agent-connection.ts';
import { ApiError } from './errors.ts';
import type { GraphQLHttp } from './graphql-http.ts';
import type { AgentLog } from './logger.ts';
import { ACTIVE, CONFIG_CHANGED, VERSION_VALUES, type ActiveResult, type ConfigChangedWire, type VersionValuesResult, type VersionValuesWire } from './wire-documents.ts';

/** How a version reached the agent. */
export type ReceivedVia = 'stream' | 'resync' | 'poll';

/** A wire timestamp as a Date; undefined when absent or unreadable (a latency is then not measured, never invented). */
function toDate(iso: string | undefined): Date | undefined {
  if (iso === undefined) return undefined;
  // A version's commit time, read once (every agent of a process gets the same text).
  if (iso !== lastIso) {
    lastIso = iso;
    lastMs = new Date(iso).getTime();
  }
  return Number.isFinite(lastMs) ? new Date(lastMs) : undefined;
}
let lastIso: string | undefined;
let lastMs = Number.NaN;

export interface ChangeStreamOptions {
  connection: AgentConnection;
  /** Resyncs and polls go over HTTP: they must work while the socket is down. */
  http: GraphQLHttp;
  environment: string;
  /** The consumed names: a snapshot is reduced to the ones that differ. */
  names: readonly string[];
  /** True for a consumed name the catalog knows; other changes of a version are dropped. */
  consumed(name: string): boolean;
  scheduler: ApplyScheduler;
  /** Hands one version to the scheduler (and tells the worker it arrived); `createdAt` is its commit time when known. */
  receive(version: number, changes: IncomingChange[], via: ReceivedVia, createdAt?: Date): void;
  stalenessBudgetMs: number;
  pollIntervalMs: number;
  retry: RetryOptions;
  /** Aborted when the agent closes. */
  signal: AbortSignal;
  log: AgentLog;
  /** The stream has been down longer than the staleness budget (the poll starts). */
  onStale(): void;
  /** The stream is up again after a stale period. */
  onFresh(): void;
  /** The subscription failed; `fatal` when retrying cannot help (refused credentials, forbidden environment). */
  onError(error: unknown, fatal: boolean): void;
}

export interface ChangeStream {
  /** True while the subscription is acknowledged and not cut: reports may ride the socket. */
  readonly up: boolean;
  /** Subscribes after the version the scheduler last received; the stream counts as down until acknowledged. */
  start(): void;
  /**
   * Anti-entropy: `active` is the environment's active version a status report
   * just returned. When the one seen at the previous report is still ahead of
   * what arrived while the stream was up, a notification was lost: resync.
   */
  activeVersionSeen(active: number): void;
  /** The socket acknowledged a connection (connection callback). */
  connected(): void;
  /** The socket closed (connection callback). */
  disconnected(): void;
  /** Resolves when every version received so far has been handed to the scheduler. */
  drained(): Promise<void>;
  /** Unsubscribes and stops timers, polls and resyncs for good. */
  stop(): void;
}

export function createChangeStream(options: ChangeStreamOptions): ChangeStream {
  const { connection, http, environment, names, consumed, scheduler, receive, stalenessBudgetMs, pollIntervalMs, retry, signal, log } = options;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let downSince: number | undefined;
  let wasUp = false;
  let staleTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let activeSeen = 0;
  const over = () => stopped || signal.aborted;

  let work: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>) => {
    work = work.then(task).catch((error: unknown) => log('error', 'runtime_agent_task_failed', { err: String(error) }));
    return work;
  };

  /** Brings the agent to `version` from a full snapshot of its values: the consumed names that differ become one change set. */
  function resyncTo({ version, values, createdAt }: VersionValuesWire, via: 'resync' | 'poll'): void {
    if (version <= scheduler.receivedVersion) return;
    const latest = scheduler.latestValues();
    const changes = names.filter((name) => Object.hasOwn(values, name) && values[name] !== latest.get(name)).map((name) => ({ name, value: values[name] as string }));
    log('info', 'config_resync', { from_version: scheduler.receivedVersion, to_version: version, via, keys: changes.map((c) => c.name) });
    receive(version, changes, via, toDate(createdAt));
  }

  async function syncToActive(via: 'resync' | 'poll'): Promise<void> {
    const data = await http.request<ActiveResult>(ACTIVE, { environment });
    const active = data.environment.activeConfig;
    if (active && active.version > scheduler.receivedVersion) resyncTo(active, via);
  }

  async function onEvent(event: ConfigChangedWire): Promise<void> {
    const step = versionStep(scheduler.receivedVersion, event.version);
    if (over() || step === 'duplicate') return; // replayed at a reconnect's seam
    try {
      if (step === 'gap') {
        log('warn', 'config_version_gap', { expected: scheduler.receivedVersion + 1, got: event.version });
        const data = await http.request<VersionValuesResult>(VERSION_VALUES, { environment, number: event.version });
        if (!data.environment.version) throw new ApiError('API_ERROR', `version ${event.version} of ${environment} does not exist`);
        resyncTo(data.environment.version, 'resync');
        return;
      }
      const changes = event.changes.filter((c) => consumed(c.name) && c.after !== null).map((c) => ({ name: c.name, value: c.after as string }));
      receive(event.version, changes, 'stream', toDate(event.createdAt));
    } catch (error) {
      // The version is not lost: the next event is then a gap, and a resync
      // catches up; meanwhile retry a resync to the active version.
      log('warn', 'config_fetch_failed', { config_version: event.version, err: String(error) });
      scheduleResync(0);
    }
  }

  function scheduleResync(attempt: number): void {
    if (over()) return;
    void waitBackoff(attempt, retry, signal).then(() => {
      if (over()) return;
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

  function poll(): void {
    if (over() || downSince === undefined) return;
    void enqueue(async () => {
      try {
        await syncToActive('poll');
      } catch (error) {
        log('warn', 'config_poll_failed', { err: String(error) });
      }
    }).then(() => {
      if (over() || downSince === undefined) return;
      pollTimer = setTimeout(poll, pollIntervalMs);
      pollTimer.unref?.();
    });
  }

  function streamDown(initial: boolean): void {
    activeSeen = 0;
    if (over() || downSince !== undefined) return;
    downSince = Date.now();
    if (!initial) log('warn', 'listen_disconnected');
    staleTimer = setTimeout(() => {
      if (over()) return;
      log('warn', 'config_stream_stale', { down_ms: Date.now() - (downSince ?? Date.now()) });
      options.onStale();
      poll();
    }, stalenessBudgetMs);
    staleTimer.unref?.();
  }

  function clearTimers(): void {
    clearTimeout(staleTimer);
    clearTimeout(pollTimer);
    staleTimer = pollTimer = undefined;
  }

  // graphql-ws re-sends this same payload object on every reconnect: the
  // resume point is updated in place so the server replays exactly the
  // versions after the last one received (queued ones are not lost: they live
  // in the scheduler).
  const variables = { environment, afterVersion: scheduler.receivedVersion };

  return {
    get up() {
      return !over() && unsubscribe !== undefined && downSince === undefined;
    },
    start() {
      // Until the first connection is acknowledged the stream is down: a
      // handshake a partition holds must not leave the agent READY for ever.
      streamDown(true);
      variables.afterVersion = scheduler.receivedVersion;
      unsubscribe = connection.subscribe<{ configChanged: ConfigChangedWire }>({ query: CONFIG_CHANGED, variables }, {
        next: (result) => {
          if (result.errors?.length) {
            const code = (result.errors[0] as { extensions?: { code?: string } }).extensions?.code;
            options.onError(new ApiError(code === 'FORBIDDEN' ? 'FORBIDDEN' : 'API_ERROR', result.errors.map((e) => e.message).join('; '), code), code === 'FORBIDDEN' || code === 'UNAUTHENTICATED');
            return;
          }
          const event = result.data?.configChanged;
          if (event) void enqueue(() => onEvent(event));
        },
        error: (error) => {
          if (signal.aborted) return;
          options.onError(error, isCloseEvent(error) ? isFatalCloseCode(error.code) : true);
        },
        complete: () => {
          if (!signal.aborted) log('warn', 'config_stream_completed');
        },
      });
    },
    activeVersionSeen(active) {
      const seenBefore = activeSeen;
      activeSeen = active;
      // Only while the stream is up: when it is down, the resume on reconnect
      // (afterVersion) or the poll fallback catches up version by version.
      if (!over() && downSince === undefined && seenBefore > scheduler.receivedVersion) {
        log('warn', 'config_notification_missed', { active_version: seenBefore, received_version: scheduler.receivedVersion });
        void enqueue(() => syncToActive('resync').catch((error: unknown) => log('warn', 'config_resync_failed', { err: String(error) })));
      }
    },
    connected() {
      variables.afterVersion = scheduler.receivedVersion;
      // The resumed subscription replays what was missed; judge lag afresh.
      activeSeen = 0;
      clearTimers();
      if (downSince !== undefined && wasUp) log('info', 'listen_reconnect', { down_ms: Date.now() - downSince });
      wasUp = true;
      downSince = undefined;
      options.onFresh();
    },
    disconnected() {
      streamDown(false);
    },
    drained: () => work,
    stop() {
      stopped = true;
      clearTimers();
      unsubscribe?.();
      unsubscribe = undefined;
    },
  };
}
