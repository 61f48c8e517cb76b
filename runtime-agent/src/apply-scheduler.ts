// Decides when received changes become visible to the worker. The worker tells
// the scheduler where it is (cycles, positions, critical sections,
// heartbeats); the scheduler applies whole versions, in order, only at the
// boundary each changed parameter's category allows (contract/catalog.ts).
import { Boundary } from '../../contract/catalog.ts';
import { AgentError } from './errors.ts';
import type { AgentLogger } from './logger.ts';

export interface IncomingChange {
  name: string;
  value: string;
}

export interface ReceivedVersion {
  version: number;
  /** The changes of consumed parameters (others may be omitted or are ignored). */
  changes: readonly IncomingChange[];
  receivedAt: Date;
  /** When the server committed it (the save), when the agent knows: the start of the save-to-apply latency. */
  createdAt?: Date;
}

export interface ApplyBatch {
  /** The version the worker's values now belong to. */
  version: number;
  previousVersion: number;
  /** Consumed parameters whose value changed, with their new raw value. */
  changes: ReadonlyMap<string, string>;
  /** When `version` arrived. */
  receivedAt: Date;
  /** When `version` was committed (saved), when the agent knows it. */
  createdAt?: Date;
  appliedAt: Date;
  /** Consumed parameters whose newer value waits for a restart. */
  pendingRestart: string[];
}

export interface PendingChange {
  name: string;
  value: string;
  version: number;
  boundary: Boundary;
  /** RISK_LIMIT: a position was open since it arrived, so it also waits for the next heartbeat. */
  awaitingHeartbeat: boolean;
}

export interface ApplySchedulerOptions {
  /** The version the worker booted with. */
  appliedVersion: number;
  /** The values the worker booted with (restart-required parameters keep these). */
  bootValues: Readonly<Record<string, string>>;
  /** The boundary of a consumed parameter; undefined for a name the worker does not consume. */
  boundaryOf(name: string): Boundary | undefined;
  /** Called synchronously when a version becomes visible; never inside a cycle or critical section. */
  onApply(batch: ApplyBatch): void;
  /** Called when the guard refused an apply in a forbidden section (after it logged FORBIDDEN_SECTION_EVENT): the agent counts it. */
  onForbiddenSection?(section: ForbiddenSection): void;
  logger: AgentLogger;
  now?: () => Date;
}

/** The event that must stay at zero (architecture §11: alert on any). */
export const FORBIDDEN_SECTION_EVENT = 'config_change_applied_in_forbidden_section';

/** Where the guard refused an apply: the `section` of FORBIDDEN_SECTION_EVENT (a fixed set, so a metric label too). */
export const FORBIDDEN_SECTIONS = ['cycle', 'critical_section', 'open_position'] as const;
export type ForbiddenSection = (typeof FORBIDDEN_SECTIONS)[number];

/**
 * Invariants:
 * - at most one pending change per parameter: a newer value replaces a queued one;
 * - versions become visible in order and whole: version N is applied only when
 *   every pending change of versions <= N may land now, so the worker's values
 *   always equal one committed version (restart-required parameters aside);
 *   a change held back (a risk limit under an open position) holds back the
 *   versions after it;
 * - nothing is applied inside a cycle or a critical section, nor a risk limit
 *   with a position open; a guard logs FORBIDDEN_SECTION_EVENT and refuses if
 *   that were ever attempted.
 */
export class ApplyScheduler {
  #inCycle = false;
  #criticalDepth = 0;
  #openPositions = 0;
  #appliedVersion: number;
  #receivedVersion: number;
  /** Versions received and not yet applied, ascending, with their arrival (and commit) time. */
  readonly #received: { version: number; receivedAt: Date; createdAt?: Date }[] = [];
  readonly #pending = new Map<string, PendingChange>();
  readonly #bootValues: Readonly<Record<string, string>>;
  /** The newest known value of every consumed parameter (applied, pending or waiting for restart). */
  readonly #latest = new Map<string, string>();
  readonly #restartRequired = new Set<string>();
  readonly #options: ApplySchedulerOptions;
  readonly #now: () => Date;

  constructor(options: ApplySchedulerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#appliedVersion = this.#receivedVersion = options.appliedVersion;
    this.#bootValues = { ...options.bootValues };
    for (const [name, value] of Object.entries(options.bootValues)) this.#latest.set(name, value);
  }

  get appliedVersion(): number {
    return this.#appliedVersion;
  }
  get receivedVersion(): number {
    return this.#receivedVersion;
  }
  get inCycle(): boolean {
    return this.#inCycle;
  }
  get criticalDepth(): number {
    return this.#criticalDepth;
  }
  get openPositions(): number {
    return this.#openPositions;
  }
  /** Sorted names of consumed parameters whose newer value waits for a restart. */
  get pendingRestart(): string[] {
    return this.#restartRequired.size === 0 ? [] : [...this.#restartRequired].sort();
  }
  /** The queued changes, one per parameter. */
  get pending(): PendingChange[] {
    return [...this.#pending.values()].map((change) => ({ ...change }));
  }
  /** The newest known raw value of each consumed parameter (what a full resync compares against). */
  latestValues(): ReadonlyMap<string, string> {
    return new Map(this.#latest);
  }

  /** Queues a version's changes; applies at once when the worker is at a boundary. Versions must increase. */
  receive({ version, changes, receivedAt, createdAt }: ReceivedVersion): void {
    if (!Number.isInteger(version) || version <= this.#receivedVersion) {
      throw new AgentError('BOUNDARY_MISUSE', `version ${version} received after ${this.#receivedVersion}: versions must increase`);
    }
    this.#receivedVersion = version;
    this.#received.push({ version, receivedAt, createdAt });
    for (const { name, value } of changes) {
      const boundary = this.#options.boundaryOf(name);
      if (boundary === undefined) continue;
      this.#latest.set(name, value);
      if (boundary === Boundary.Restart) {
        // Never live: the worker keeps its boot value until it restarts. A change
        // back to the boot value clears the flag.
        if (value === this.#bootValues[name]) this.#restartRequired.delete(name);
        else this.#restartRequired.add(name);
        continue;
      }
      const replaced = this.#pending.get(name);
      this.#pending.set(name, {
        name,
        value,
        version,
        boundary,
        awaitingHeartbeat: boundary === Boundary.NoPosition && (this.#openPositions > 0 || replaced?.awaitingHeartbeat === true),
      });
    }
    this.#tryApply();
  }

  /** A decision cycle begins: nothing is applied until cycleEnd(). Cycles do not nest. */
  cycleStart(): void {
    if (this.#inCycle) throw new AgentError('BOUNDARY_MISUSE', 'cycleStart() inside a cycle: cycles do not nest');
    this.#inCycle = true;
  }

  /** The decision cycle ended: queued changes whose boundary is reached are applied now. */
  cycleEnd(): void {
    if (!this.#inCycle) throw new AgentError('BOUNDARY_MISUSE', 'cycleEnd() without cycleStart()');
    this.#inCycle = false;
    this.#tryApply();
  }

  positionOpened(): void {
    this.#openPositions += 1;
    for (const change of this.#pending.values()) {
      if (change.boundary === Boundary.NoPosition) change.awaitingHeartbeat = true;
    }
  }

  positionClosed(): void {
    if (this.#openPositions === 0) throw new AgentError('BOUNDARY_MISUSE', 'positionClosed() with no position open');
    this.#openPositions -= 1;
    this.#tryApply();
  }

  /** The worker's heartbeat (the agent's periodic report counts as one too). */
  heartbeat(): void {
    for (const change of this.#pending.values()) change.awaitingHeartbeat = false;
    this.#tryApply();
  }

  /** Order submission, position reconciliation…: nothing is applied until the matching exit. Sections nest. */
  enterCriticalSection(): void {
    this.#criticalDepth += 1;
  }

  exitCriticalSection(): void {
    if (this.#criticalDepth === 0) throw new AgentError('BOUNDARY_MISUSE', 'exitCriticalSection() without enterCriticalSection()');
    this.#criticalDepth -= 1;
    this.#tryApply();
  }

  async withCriticalSection<T>(fn: () => T | Promise<T>): Promise<T> {
    this.enterCriticalSection();
    try {
      return await fn();
    } finally {
      this.exitCriticalSection();
    }
  }

  #mayApply(change: PendingChange): boolean {
    if (change.boundary === Boundary.NoPosition) return this.#openPositions === 0 && !change.awaitingHeartbeat;
    return change.boundary === Boundary.CycleEnd;
  }

  #tryApply(): void {
    if (this.#inCycle || this.#criticalDepth > 0 || this.#received.length === 0) return;
    let blockedAt = Infinity;
    for (const change of this.#pending.values()) {
      if (!this.#mayApply(change)) blockedAt = Math.min(blockedAt, change.version);
    }
    let target: { version: number; receivedAt: Date; createdAt?: Date } | undefined;
    while (this.#received.length > 0 && (this.#received[0] as { version: number }).version < blockedAt) {
      target = this.#received.shift();
    }
    if (!target) return;
    const changes = new Map<string, string>();
    let touchesRiskLimit = false;
    // Deleting the entry being visited is safe in a Map's iteration.
    for (const change of this.#pending.values()) {
      if (change.version > target.version) continue;
      changes.set(change.name, change.value);
      touchesRiskLimit ||= change.boundary === Boundary.NoPosition;
      this.#pending.delete(change.name);
    }
    this.#apply(target, changes, touchesRiskLimit);
  }

  #apply({ version, receivedAt, createdAt }: { version: number; receivedAt: Date; createdAt?: Date }, changes: Map<string, string>, touchesRiskLimit: boolean): void {
    // The guard: unreachable by construction (#tryApply checks the same
    // conditions); it exists so that a regression shows up as the alerting event.
    const section: ForbiddenSection | undefined = this.#inCycle ? 'cycle' : this.#criticalDepth > 0 ? 'critical_section' : touchesRiskLimit && this.#openPositions > 0 ? 'open_position' : undefined;
    if (section) {
      this.#options.logger.error({ event: FORBIDDEN_SECTION_EVENT, section, config_version: version, keys: [...changes.keys()] }, 'refused to apply a configuration change in a forbidden section');
      this.#options.onForbiddenSection?.(section);
      return;
    }
    const previousVersion = this.#appliedVersion;
    this.#appliedVersion = version;
    // One literal of one shape (createdAt undefined when unknown): a spread
    // in the middle of it cost more than the rest of the apply.
    this.#options.onApply({ version, previousVersion, changes, receivedAt, createdAt, appliedAt: this.#now(), pendingRestart: this.pendingRestart });
  }
}
