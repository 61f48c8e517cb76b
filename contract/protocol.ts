/**
 * The distribution protocol between the server and the runtime agent, as data
 * both sides import: the socket close codes, which of them end a client for
 * good, what `afterVersion` means, and the shape of the reports an agent
 * sends. runtime-agent/PROTOCOL.md is the prose of the same contract.
 */

/**
 * Close codes the server sends beyond graphql-ws's own. graphql-ws's
 * `CloseCode` (4400 bad request, 4403 Forbidden, 4408 connection-init timeout,
 * 4409 subscriber already exists, 4429 too many init requests, 4500 internal
 * error) is referenced here by number, so the contract depends on nothing.
 */
export const SocketCloseCode = {
  /** The credentials in connectionParams (or the session cookie) were refused, or revoked since. Final. */
  Unauthorized: 4401,
  /** graphql-ws's Forbidden: valid credentials that may not use this socket. Final. */
  Forbidden: 4403,
  /**
   * A passing server fault during the handshake (the database briefly
   * unreachable, say): says nothing about the credentials, so retryable.
   * 1013 (Try Again Later), not 1011: graphql-ws's client never reconnects by
   * itself on a 1000–1999 code other than 1000, 1001, 1005, 1006 and
   * 1012–1014, whatever `shouldRetry` answers (runtime-agent/PROTOCOL.md).
   */
  TryAgainLater: 1013,
  /** graphql-ws's ConnectionInitialisationTimeout; the agent closes with it when a pong is missing and its WebSocket cannot terminate(). Retryable. */
  PongTimeout: 4408,
} as const;
export type SocketCloseCode = (typeof SocketCloseCode)[keyof typeof SocketCloseCode];

/**
 * Close codes after which reconnecting cannot help: refused (4401) or forbidden
 * (4403) credentials. Every other close (network loss, 1001 going away, 1013,
 * 4408, a server restart) is retryable with backoff.
 */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set<number>([SocketCloseCode.Unauthorized, SocketCloseCode.Forbidden]);

/** True when a client must stop reconnecting after the socket closed with `code`. */
export function isFatalCloseCode(code: number): boolean {
  return FATAL_CLOSE_CODES.has(code);
}

/**
 * What `afterVersion` means in `configChanged(environment, afterVersion)`: the
 * server first replays, in order and once, every version committed after
 * `afterVersion` (exclusive), then continues with live versions, without a
 * gap or a duplicate at the seam. Without it, only live versions are sent;
 * `0` replays the whole history. A client resumes by passing the newest
 * version it has received (not merely applied).
 *
 * Versions of one environment are consecutive integers, so a client can judge
 * every event against the newest version it holds: `duplicate` (already held:
 * drop it), `next` (apply it), or `gap` (versions were lost in between:
 * resync from the full snapshot of that version).
 */
export type VersionStep = 'duplicate' | 'next' | 'gap';

/** Where `version` stands relative to `received`, the newest version a client holds (see VersionStep). */
export function versionStep(received: number, version: number): VersionStep {
  if (version <= received) return 'duplicate';
  return version === received + 1 ? 'next' : 'gap';
}

/** The worker modes a worker registers with (the Prisma RunKind enum). */
export const WORKER_MODES = ['EXPERIMENT', 'BACKTEST', 'PAPER', 'LIVE'] as const;
export type WorkerMode = (typeof WORKER_MODES)[number];

/** The states a worker reports (the Prisma WorkerStatus enum). */
export const WORKER_STATUSES = ['NOT_READY', 'READY', 'STALE', 'ERROR', 'STOPPED'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

/** `registerWorker(input)`: a worker declares itself with its environment's service token; registering the same name again updates it. */
export interface RegisterWorkerMessage {
  /** Unique within the token's environment. */
  name: string;
  mode: WorkerMode;
  /** The parameter names the worker reads; each must be in the catalog. */
  consumes: string[];
  /** Its first status report, recorded with the registration (the runtime agent's ready(): one request fewer). */
  status?: Omit<StatusReportMessage, 'workerId'> | null;
}

/** `reportWorkerStatus(input)`: heartbeat and state. Its answer carries the environment's active version (anti-entropy). */
export interface StatusReportMessage {
  /** The Relay global id `registerWorker` returned. */
  workerId: string;
  status: WorkerStatus;
  /** The newest version received (applied or queued); null before the first. */
  receivedVersion?: number | null;
  /** The version whose values are in force; null before the first. */
  appliedVersion?: number | null;
  /** Replaces the stored list of changed parameters waiting for a restart, when given. */
  pendingRestart?: string[] | null;
}

/**
 * `reportWorkerApply(input)`: a version took effect at a safe boundary. The
 * server records the save-to-apply latency from `appliedAt`; reporting the same
 * (workerId, version) twice records it once (idempotent).
 */
export interface ApplyReportMessage {
  workerId: string;
  version: number;
  /** ISO-8601: when the agent received the version. */
  receivedAt: string;
  /** ISO-8601: when its values became visible to the worker. */
  appliedAt: string;
  /** The parameters whose new values took effect. */
  keys: string[];
  /** Replaces the stored list of changes waiting for a restart, when given. */
  pendingRestart?: string[] | null;
}
