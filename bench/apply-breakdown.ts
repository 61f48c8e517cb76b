import pg from 'pg';
import type { AgentHost } from './agent-hosts.ts';
import { createArrivals, now } from './arrivals.ts';
import { formatMs, percentiles } from './percentiles.ts';

type Floor = { p50: number; p99: number };

/**
 * Where save → apply goes, version by version (save-to-apply.ts): when a
 * LISTEN connection saw the commit, when each agent's socket got the frame,
 * when each agent applied it and posted its report (the coordinator's clock,
 * the hosts' corrected to it); the agent hosts' CPU from the commit to the
 * last apply; and the server's CPU after the last apply, over the reports
 * posted then: the reports measured alone.
 */
export async function openApplyBreakdown({ hosts, databaseUrl, agentCount, hostsCpuMs }: {
  hosts: AgentHost[];
  databaseUrl: string;
  agentCount: number;
  /** The agent hosts' CPU so far (ms). */
  hostsCpuMs: () => number;
}) {
  const committedAt = new Map<number, { at: number; hostsCpu: number }>();
  const framesAt = new Map<number, number[]>();
  const postedAt = createArrivals();
  const unsubscribe = hosts.map((host) => host.onStreamed((reply, from) => {
    if (reply.type === 'received') framesAt.set(reply.version, [...(framesAt.get(reply.version) ?? []), ...reply.times.map((at) => at - from.offset)]);
    if (reply.type === 'reported') postedAt.add(reply.version, reply.times, from.offset);
  }));
  const commits = new pg.Client({ connectionString: databaseUrl });
  await commits.connect();
  commits.on('notification', (message) => {
    if (message.channel === 'config_changed') committedAt.set(Number(JSON.parse(message.payload!).version), { at: now(), hostsCpu: hostsCpuMs() });
  });
  await commits.query('LISTEN config_changed');

  const parts = { toCommit: [] as number[], toFrame: [] as number[], toApply: [] as number[] };
  let versions = 0;
  let receiveCpu = 0;
  let lateCpu = 0;
  let lateReports = 0;

  return {
    /** Call before saving `version`: resolves once every agent posted its report of it. */
    expectReports(version: number): { posts: number[]; allPosted: Promise<void> } {
      const posts: number[] = [];
      return { posts, allPosted: postedAt.start(version, agentCount, posts).complete.then(() => {}) };
    },
    /**
     * One version's readings: the save started at `t0`, its applies (ms
     * after `t0`), the instant and CPU readings when the last one was in,
     * the server's CPU once every report was recorded. `counted` false for
     * a warm-up version (its readings are dropped).
     */
    add(version: number, { t0, applies, posts, appliedAt, serverCpuApplied, hostsCpuApplied, serverCpuRecorded, counted }: {
      t0: number; applies: number[]; posts: number[]; appliedAt: number; serverCpuApplied: number; hostsCpuApplied: number; serverCpuRecorded: number; counted: boolean;
    }): void {
      const commit = committedAt.get(version)!;
      const frames = framesAt.get(version)!;
      committedAt.delete(version);
      framesAt.delete(version);
      if (!counted) return;
      versions += 1;
      parts.toCommit.push(commit.at - t0);
      parts.toFrame.push(...frames.map((at) => at - commit.at));
      parts.toApply.push(...applies.map((at) => at + t0 - commit.at));
      receiveCpu += hostsCpuApplied - commit.hostsCpu;
      lateCpu += serverCpuRecorded - serverCpuApplied;
      lateReports += posts.filter((at) => at + t0 > appliedAt).length;
    },
    /** The reports' server CPU per version, measured alone (NaN when none came after the last apply). */
    reportsAloneMs: () => (lateReports > 0 ? (lateCpu / lateReports) * agentCount : NaN),
    /** The share of reports posted after the last apply, %. */
    latePercent: () => (100 * lateReports) / (agentCount * Math.max(1, versions)),
    /** The table of parts against their floors, and the clients' CPU beside bare sockets' (and plain subscribers'). */
    table({ saveFloor, broadcast, bareClientCpuMs, plainClientCpuMs }: { saveFloor: Floor; broadcast: Floor; bareClientCpuMs: number; plainClientCpuMs?: number }): string[] {
      const part = (name: string, values: number[], floor?: Floor) => {
        const q = percentiles(values);
        return `| ${name} | ${formatMs(q.p50)} | ${formatMs(q.p99)} | ${floor ? `${formatMs(floor.p50)} / ${formatMs(floor.p99)}` : '—'} | ${floor ? `${(q.p50 / floor.p50).toFixed(2)} / ${(q.p99 / floor.p99).toFixed(2)}` : '—'} |`;
      };
      const perVersion = receiveCpu / Math.max(1, versions);
      return [
        `Where save → apply goes (${agentCount} agents, ${versions} versions; clocks of the coordinator, the hosts' corrected to it):`,
        '',
        '| part | p50 | p99 | floor p50 / p99 | ratio p50 / p99 |',
        '|---|---|---|---|---|',
        part('save sent → commit seen (a LISTEN connection gets its notification)', parts.toCommit, saveFloor),
        part('commit → version frame at each agent\'s socket', parts.toFrame, broadcast),
        part('commit → applied by each agent (its frame decoded, applied between cycles)', parts.toApply),
        '',
        `The clients' side, on the server's cores: the agent hosts' CPU from the commit to the last apply (every agent receiving, decoding and applying the version) ${perVersion.toFixed(1)} ms per version, ${((1000 * perVersion) / agentCount).toFixed(1)} µs per agent; the same processes receiving the broadcast floor's frames on bare sockets ${bareClientCpuMs.toFixed(1)} ms per event${plainClientCpuMs !== undefined ? `, as plain graphql-ws subscribers ${plainClientCpuMs.toFixed(1)} ms` : ''} (the floor's commit → receipt carries that much client work, ours ${(perVersion / Math.max(bareClientCpuMs, 0.001)).toFixed(1)}× as much).`,
        '',
      ];
    },
    async close(): Promise<void> {
      for (const stop of unsubscribe) stop();
      await commits.end();
    },
  };
}
