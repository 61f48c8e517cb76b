// A paper or live session's lineage, recorded by its agent: when the agent
// becomes ready the session binds itself (one startSession request: freeze
// the version it starts on, register the session RUNNING, record the first
// epoch), and every version it later applies at its safe boundary becomes an
// epoch (createParameterSet of that version, then recordSessionEpoch). On
// close the session ends with a terminal status.
//
// Recording never blocks the decision loop: start() and applied() only
// queue. The queue sends one request at a time, in order, so epochs reach the
// server in the order they were applied; a transient failure (network,
// UNAVAILABLE) is retried with backoff for as long as the agent runs, which
// is safe because every request is idempotent (startSession by the id chosen
// here, a freeze by content, an epoch by its exact fields). A refusal is
// loud: the session's state becomes FAILED with the server's message, an
// error is logged and counted, SessionFailed is emitted, and nothing more is
// recorded for that session (a lineage with a hole would lie).
import { randomUUID } from 'node:crypto';
import { wait, waitBackoff, type RetryOptions } from '../../contract/backoff.ts';
import { ApiError } from './errors.ts';
import type { GraphQLHttp } from './graphql-http.ts';
import type { AgentLog } from './logger.ts';
import { END_SESSION, FREEZE_VERSION, RECORD_EPOCH, START_SESSION, type FreezeVersionResult, type StartSessionResult } from './wire-documents.ts';

/** The code a session runs, frozen into every set of its lineage (commit: a full sha). */
export interface SessionCodeVersion {
  commit: string;
  packages?: readonly { name: string; version: string }[];
}

export interface SessionOptions {
  codeVersion: SessionCodeVersion;
  /** The session run's name; default `<workerName> <mode> session`. */
  name?: string;
  /** Kept on the run (a JSON object; never a catalog parameter). */
  metadata?: Record<string, unknown>;
}

export type SessionState =
  /** Not started yet, or the start is on its way. */
  | 'STARTING'
  /** Bound: the run exists and every queued epoch is being recorded. */
  | 'RECORDING'
  /** The server refused a start or an epoch: nothing more is recorded (see `error`). */
  | 'FAILED'
  /** Closed with a terminal status. */
  | 'ENDED';

export interface SessionInfo {
  state: SessionState;
  /** The session run's id (chosen by the agent before its start is sent). */
  runId: string;
  /** Epochs the server confirmed, the first included. */
  recordedEpochs: number;
  /** Epochs queued and not confirmed yet. */
  pendingEpochs: number;
  /** Why recording failed. */
  error?: string;
}

export interface SessionRecorderOptions {
  /** Over the stream's socket while it is up, else HTTP (the reporter's route). */
  transport(): Pick<GraphQLHttp, 'request'>;
  environment: string;
  kind: 'PAPER' | 'LIVE';
  workerName: string;
  session: SessionOptions;
  /** An epoch leaves after a random delay of up to this many ms: a fleet applying one save does not freeze it in one burst. */
  jitterMs: number;
  retry: RetryOptions;
  log: AgentLog;
  onRecorded?(): void;
  onFailure?(outcome: 'retried' | 'given_up'): void;
  onFailed?(message: string): void;
}

export interface SessionRecorder {
  readonly info: SessionInfo;
  /** Queues the session's start on `version`, loaded at `startedAt`. */
  start(version: number, startedAt: Date, workerId: string | undefined): void;
  /** Queues the epoch of a version applied at `appliedAt`. */
  applied(version: number, appliedAt: Date, workerId: string | undefined): void;
  /** Records what is queued, then ends the session (SUCCEEDED, or FAILED with `message`). Bounded: gives up after a few attempts. */
  end(outcome: { status: 'SUCCEEDED' | 'FAILED'; message?: string }): Promise<void>;
  /** Resolves when everything queued so far was recorded or given up. */
  drained(): Promise<void>;
}

/** Attempts per request once the agent is closing (it must not hang on a server that is gone). */
const CLOSING_ATTEMPTS = 3;

export function createSessionRecorder({ transport, environment, kind, workerName, session, jitterMs, retry, log, onRecorded, onFailure, onFailed }: SessionRecorderOptions): SessionRecorder {
  const runId = randomUUID();
  const code = { commit: session.codeVersion.commit, packages: session.codeVersion.packages ?? [] };
  const info: SessionInfo = { state: 'STARTING', runId, recordedEpochs: 0, pendingEpochs: 0 };
  const closing = new AbortController();
  let queue: Promise<void> = Promise.resolve();
  let lastAppliedAt = 0;

  /** Wall clocks step back (NTP); epochs must not: an epoch is never dated before the previous one. */
  function ordered(at: Date): Date {
    lastAppliedAt = Math.max(lastAppliedAt, at.getTime());
    return new Date(lastAppliedAt);
  }

  function fail(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    info.state = 'FAILED';
    info.error = `${what}: ${message}`;
    log('error', 'runtime_agent_session_failed', { run: runId, step: what, err: message });
    onFailure?.('given_up');
    onFailed?.(info.error);
  }

  /** Sends until it succeeds; a refusal throws, a transient failure waits and retries (a few times only once closing). */
  async function send<T>(what: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request();
      } catch (error) {
        const transient = !(error instanceof ApiError) || error.retryable;
        if (!transient || (closing.signal.aborted && attempt >= CLOSING_ATTEMPTS - 1)) throw error;
        log('warn', 'runtime_agent_session_retry', { run: runId, step: what, attempt: attempt + 1, err: String(error) });
        onFailure?.('retried');
        await waitBackoff(attempt, retry, closing.signal);
      }
    }
  }

  function enqueue(what: string, step: () => Promise<void>, delayMs = 0): Promise<void> {
    queue = queue.then(async () => {
      if (info.state === 'FAILED' || info.state === 'ENDED') return;
      // After this I/O turn at the earliest: the caller (an apply, ready()) never waits on a request.
      if (delayMs > 0 && !closing.signal.aborted) await wait(Math.random() * delayMs, closing.signal);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await step();
      } catch (error) {
        fail(what, error);
      }
    });
    return queue;
  }

  return {
    get info() {
      return { ...info };
    },

    start(version, startedAt, workerId) {
      const at = ordered(startedAt);
      info.pendingEpochs += 1;
      void enqueue('startSession', async () => {
        const input = {
          id: runId, kind, environment, configVersion: version, code, startedAt: at.toISOString(),
          name: session.name ?? `${workerName} ${kind.toLowerCase()} session`,
          ...(workerId ? { worker: workerId } : {}),
          ...(session.metadata ? { metadata: session.metadata } : {}),
        };
        const data = await send('startSession', () => transport().request<StartSessionResult>(START_SESSION, { input }));
        info.pendingEpochs -= 1;
        info.recordedEpochs += 1;
        info.state = 'RECORDING';
        log('info', 'runtime_agent_session_started', { run: runId, config_version: version, parameter_set: data.startSession.parameterSetHash, created: data.startSession.created });
        onRecorded?.();
      });
    },

    applied(version, appliedAt, workerId) {
      if (info.state === 'FAILED' || info.state === 'ENDED') return;
      const at = ordered(appliedAt);
      info.pendingEpochs += 1;
      void enqueue('recordSessionEpoch', async () => {
        const frozen = await send('createParameterSet', () => transport().request<FreezeVersionResult>(FREEZE_VERSION, { input: { environment, version, code } }));
        const hash = frozen.createParameterSet.parameterSet.hash;
        const input = { run: runId, configVersion: version, parameterSetHash: hash, appliedAt: at.toISOString(), ...(workerId ? { worker: workerId } : {}) };
        await send('recordSessionEpoch', () => transport().request(RECORD_EPOCH, { input }));
        info.pendingEpochs -= 1;
        info.recordedEpochs += 1;
        log('info', 'runtime_agent_session_epoch_recorded', { run: runId, config_version: version, parameter_set: hash });
        onRecorded?.();
      }, jitterMs);
    },

    async end({ status, message }) {
      closing.abort();
      await enqueue('endSession', async () => {
        if (info.state !== 'RECORDING') return;
        const input = { id: runId, status, ...(message ? { outcomeMessage: message } : {}) };
        try {
          await send('endSession', () => transport().request(END_SESSION, { input }));
        } catch (error) {
          // A retried end whose first try landed: the run already ended so.
          if (error instanceof ApiError && error.apiCode === 'CONFLICT' && error.message.includes(`already ended as ${status}`)) return;
          throw error;
        }
        info.state = 'ENDED';
        log('info', 'runtime_agent_session_ended', { run: runId, status });
      });
      // A session whose recording failed cannot be told so through its own queue (it stopped): end it FAILED directly, once.
      if (info.state === 'FAILED' && info.error) {
        await transport().request(END_SESSION, { input: { id: runId, status: 'FAILED', outcomeMessage: info.error.slice(0, 1_900) } }).then(
          () => { info.state = 'ENDED'; },
          () => {}, // no session run (its start was refused) or the server is away: the log already said why
        );
      }
    },

    drained: () => queue,
  };
}
