// Many runtime agents in one test process, each recording what it received,
// what it applied (with the values it held right after) and what it logged,
// with timestamps. Waits are driven by the agents' own events and log lines,
// never by sleeps; every wait has a timeout that names the agents it missed.
import { performance } from 'node:perf_hooks';
import { AgentEvent, createRuntimeAgent, FORBIDDEN_SECTION_EVENT, type AgentLogger, type ReceivedDetails, type RuntimeAgent, type RuntimeAgentOptions } from '../../src/index.ts';
import type { ConfigHistory } from './config-history.ts';

export interface LoggedEntry {
  at: number;
  level: string;
  fields: Record<string, unknown>;
}

export interface RecordedApply {
  version: number;
  previousVersion: number;
  changes: Record<string, string>;
  /** The consumed values the agent held right after this apply. */
  values: Record<string, string>;
  at: number;
}

export interface FleetMember<N extends string = string> {
  name: string;
  consumes: readonly N[];
  agent: RuntimeAgent<N>;
  /** The version ready() loaded. */
  bootVersion: number;
  applies: RecordedApply[];
  received: (ReceivedDetails & { at: number })[];
  statuses: { status: string; at: number }[];
  log: LoggedEntry[];
  /** Log entries whose `event` field is `event`. */
  events(event: string): LoggedEntry[];
}

export interface AgentFleet<N extends string = string> {
  members: FleetMember<N>[];
  /** ready() on every member, `concurrency` at a time. */
  start(concurrency?: number): Promise<void>;
  /** Resolves when `predicate` holds for every member; re-checked on each member's events and log lines. */
  until(predicate: (member: FleetMember<N>) => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Every member has applied `version` (or a later one). */
  allApplied(version: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface FleetOptions<N extends string> {
  count: number;
  base: Omit<RuntimeAgentOptions<N>, 'workerName' | 'logger' | 'onApply' | 'consumes'>;
  /** The names member `i` consumes. */
  consumes: (i: number) => readonly N[];
  workerName: (i: number) => string;
  /** Per-member overrides (a proxied webSocketImpl, a budget…). */
  overrides?: (i: number) => Partial<RuntimeAgentOptions<N>>;
}

export function createAgentFleet<const N extends string>({ count, base, consumes, workerName, overrides }: FleetOptions<N>): AgentFleet<N> {
  const waiters = new Set<{ pending: Set<FleetMember<N>>; predicate: (m: FleetMember<N>) => boolean; done: () => void }>();
  const changed = (member: FleetMember<N>) => {
    for (const waiter of [...waiters]) {
      if (!waiter.pending.has(member) || !waiter.predicate(member)) continue;
      waiter.pending.delete(member);
      if (waiter.pending.size === 0) waiter.done();
    }
  };

  const members: FleetMember<N>[] = Array.from({ length: count }, (_, i) => {
    const log: LoggedEntry[] = [];
    const at = (level: string) => (fields: Record<string, unknown>) => {
      log.push({ at: performance.now(), level, fields });
      changed(member);
    };
    const logger: AgentLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const names = consumes(i);
    const member: FleetMember<N> = {
      name: workerName(i),
      consumes: names,
      bootVersion: 0,
      applies: [],
      received: [],
      statuses: [],
      log,
      events: (event) => log.filter((e) => e.fields.event === event),
      agent: undefined as unknown as RuntimeAgent<N>,
    };
    member.agent = createRuntimeAgent<N>({
      ...base,
      consumes: names,
      workerName: member.name,
      logger,
      ...overrides?.(i),
      // Called after the snapshot swap: snapshot() is the applied version (no cycle is open).
      onApply: (batch) => {
        member.applies.push({
          version: batch.version,
          previousVersion: batch.previousVersion,
          changes: Object.fromEntries(batch.changes),
          values: { ...member.agent.snapshot().values },
          at: performance.now(),
        });
        changed(member);
      },
    });
    member.agent.on(AgentEvent.Received, (details) => {
      member.received.push({ ...details, at: performance.now() });
      changed(member);
    });
    for (const event of [AgentEvent.Ready, AgentEvent.Stale, AgentEvent.Error] as const) {
      member.agent.on(event, ({ status }) => {
        member.statuses.push({ status, at: performance.now() });
        changed(member);
      });
    }
    return member;
  });

  const fleet: AgentFleet<N> = {
    members,
    async start(concurrency = count) {
      let next = 0;
      const lane = async () => {
        while (next < members.length) {
          const member = members[next++] as FleetMember<N>;
          member.bootVersion = (await member.agent.ready()).version;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, members.length) }, lane));
    },
    until(predicate, timeoutMs, what) {
      const pending = new Set(members.filter((m) => !predicate(m)));
      if (pending.size === 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = {
          pending,
          predicate,
          done: () => {
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const missing = [...pending].slice(0, 5).map((m) => `${m.name} (applied ${m.agent.appliedVersion}, received ${m.agent.receivedVersion}, ${m.agent.status})`);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${pending.size} of ${members.length} agents missing, e.g. ${missing.join('; ')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    allApplied(version, timeoutMs) {
      return fleet.until((m) => m.agent.appliedVersion >= version, timeoutMs, `every agent to apply version ${version}`);
    },
    async close() {
      await Promise.all(members.map((m) => m.agent.close()));
    },
  };
  return fleet;
}

export interface DeliveryReport {
  /** Steps that jumped over versions, each covered by a config_resync the agent logged. */
  resyncs: { from: number; to: number; via: unknown }[];
  receivedVia: Record<string, number>;
}

/**
 * The fault tests' end condition for one agent, checked precisely:
 * - applied versions strictly increase from the boot version (none applied twice) and end at the active one;
 * - every step is either the next version, or a jump that a full resync the agent
 *   logged (config_resync from → to) covers: no version that changed a consumed
 *   parameter was skipped silently;
 * - after every apply the agent's values are exactly the consumed values of that committed version;
 * - nothing was applied in a forbidden section, no stream error surfaced, and the agent is READY.
 * Returns the problems (empty when delivery was gap-free) and what it saw.
 */
export function checkDelivery<N extends string>(member: FleetMember<N>, history: ConfigHistory): { problems: string[]; report: DeliveryReport } {
  const problems: string[] = [];
  const resyncs: DeliveryReport['resyncs'] = [];
  const logged = member.events('config_resync');
  let previous = member.bootVersion;
  for (const apply of member.applies) {
    if (apply.version <= previous) problems.push(`${member.name}: applied ${apply.version} after ${previous}`);
    if (apply.previousVersion !== previous) problems.push(`${member.name}: apply of ${apply.version} says previous ${apply.previousVersion}, recorded ${previous}`);
    if (apply.version > previous + 1) {
      const resync = logged.find((e) => e.fields.from_version === previous && e.fields.to_version === apply.version);
      if (resync) resyncs.push({ from: previous, to: apply.version, via: resync.fields.via });
      else problems.push(`${member.name}: jumped from ${previous} to ${apply.version} without a logged resync (skipped ${apply.version - previous - 1})`);
    }
    const expected = history.valuesAt(apply.version, member.consumes);
    if (member.consumes.some((n) => apply.values[n] !== expected[n])) {
      problems.push(`${member.name}: values after applying ${apply.version} are ${JSON.stringify(apply.values)}, version ${apply.version} has ${JSON.stringify(expected)}`);
    }
    previous = apply.version;
  }
  if (previous !== history.active) problems.push(`${member.name}: ends on ${previous}, the active version is ${history.active}`);
  if (member.agent.appliedVersion !== history.active) problems.push(`${member.name}: appliedVersion ${member.agent.appliedVersion}, active ${history.active}`);
  if (member.agent.status !== 'READY') problems.push(`${member.name}: status ${member.agent.status}`);
  for (const event of [FORBIDDEN_SECTION_EVENT, 'runtime_agent_error', 'runtime_agent_task_failed', 'version_sequence_broken']) {
    const found = member.events(event);
    if (found.length) problems.push(`${member.name}: logged ${event} ${JSON.stringify(found[0]?.fields)}`);
  }
  const receivedVia: Record<string, number> = {};
  for (const r of member.received) receivedVia[r.via] = (receivedVia[r.via] ?? 0) + 1;
  return { problems, report: { resyncs, receivedVia } };
}

/** checkDelivery over a fleet: every problem of every agent, and totals. */
export function checkFleetDelivery<N extends string>(members: FleetMember<N>[], history: ConfigHistory): { problems: string[]; resyncs: number; receivedVia: Record<string, number> } {
  const problems: string[] = [];
  const receivedVia: Record<string, number> = {};
  let resyncs = 0;
  for (const member of members) {
    const { problems: p, report } = checkDelivery(member, history);
    problems.push(...p);
    resyncs += report.resyncs.length;
    for (const [via, n] of Object.entries(report.receivedVia)) receivedVia[via] = (receivedVia[via] ?? 0) + n;
  }
  return { problems, resyncs, receivedVia };
}
