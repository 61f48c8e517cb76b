// The agent's status machine and events, in the manner of the OpenFeature SDK:
// the agent, not the worker, owns the status; handlers are isolated from the
// stream and from each other.
import type { AgentLogger } from './logger.ts';

export const AgentStatus = {
  /** Not loaded yet, or ready() failed with a non-fatal cause. */
  NotReady: 'NOT_READY',
  /** Loaded, consistent, and the change stream is up (or down for less than the staleness budget). */
  Ready: 'READY',
  /** The stream has been down longer than the staleness budget; the poll fallback keeps the values current. */
  Stale: 'STALE',
  /** A fatal failure (refused credentials, invalid consumed parameters): the worker must not trade. */
  Error: 'ERROR',
} as const;
export type AgentStatus = (typeof AgentStatus)[keyof typeof AgentStatus];

export const AgentEvent = {
  /** New values are visible to the worker (applied at a safe boundary). */
  ConfigurationChanged: 'ConfigurationChanged',
  /** A version arrived (stream, replay, resync or poll); it is queued until its boundary. */
  Received: 'Received',
  Ready: 'Ready',
  Stale: 'Stale',
  Error: 'Error',
  /** The server refused to record the paper or live session (its start or an epoch): the session's lineage stops there. */
  SessionFailed: 'SessionFailed',
} as const;
export type AgentEvent = (typeof AgentEvent)[keyof typeof AgentEvent];

export interface ConfigurationChangedDetails {
  version: number;
  previousVersion: number;
  changedKeys: string[];
  /** Consumed parameters whose newer value waits for a restart. */
  pendingRestart: string[];
  receivedAt: Date;
  appliedAt: Date;
}
export interface ReceivedDetails {
  version: number;
  changedKeys: string[];
  via: 'stream' | 'resync' | 'poll';
  receivedAt: Date;
}
export interface StatusDetails {
  status: AgentStatus;
  message?: string;
  /** Error only: true when retrying cannot help (refused credentials, invalid parameters). */
  fatal?: boolean;
}

export interface SessionFailedDetails {
  runId: string;
  message: string;
}

export interface AgentEventDetails {
  ConfigurationChanged: ConfigurationChangedDetails;
  Received: ReceivedDetails;
  Ready: StatusDetails;
  Stale: StatusDetails;
  Error: StatusDetails;
  SessionFailed: SessionFailedDetails;
}
export type AgentEventHandler<E extends AgentEvent> = (details: AgentEventDetails[E]) => void | Promise<void>;

const statusEvent: Record<AgentStatus, AgentEvent | undefined> = {
  NOT_READY: undefined,
  READY: AgentEvent.Ready,
  STALE: AgentEvent.Stale,
  ERROR: AgentEvent.Error,
};

/**
 * Holds the status and dispatches events. A handler that throws or rejects is
 * logged (`runtime_agent_handler_failed`) and the others still run: an
 * exception in worker code must never stop the change stream.
 */
export class StatusMachine {
  #status: AgentStatus = AgentStatus.NotReady;
  readonly #handlers = new Map<AgentEvent, Set<(details: never) => void | Promise<void>>>();
  readonly #logger: AgentLogger;

  constructor(logger: AgentLogger) {
    this.#logger = logger;
  }

  get status(): AgentStatus {
    return this.#status;
  }

  /** Registers a handler; returns the function that removes it. */
  on<E extends AgentEvent>(event: E, handler: AgentEventHandler<E>): () => void {
    let set = this.#handlers.get(event);
    if (!set) this.#handlers.set(event, (set = new Set()));
    set.add(handler as (details: never) => void);
    return () => set.delete(handler as (details: never) => void);
  }

  /** Moves to `status` and emits its event; a transition to the same status emits nothing. */
  transition(status: AgentStatus, details: Omit<StatusDetails, 'status'> = {}): boolean {
    if (status === this.#status) return false;
    // ERROR with fatal is terminal: nothing revives refused credentials.
    if (this.#status === AgentStatus.Error && this.#fatal) return false;
    this.#status = status;
    this.#fatal = status === AgentStatus.Error && details.fatal === true;
    const event = statusEvent[status];
    if (event) this.emit(event as 'Ready', { status, ...details });
    return true;
  }
  #fatal = false;

  emit<E extends AgentEvent>(event: E, details: AgentEventDetails[E]): void {
    for (const handler of [...(this.#handlers.get(event) ?? [])]) {
      try {
        const result = (handler as AgentEventHandler<E>)(details);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.#handlerFailed(event, error));
        }
      } catch (error) {
        this.#handlerFailed(event, error);
      }
    }
  }

  #handlerFailed(event: AgentEvent, error: unknown): void {
    this.#logger.error({ event: 'runtime_agent_handler_failed', agentEvent: event, err: error instanceof Error ? error.message : String(error) }, 'an agent event handler failed');
  }
}
