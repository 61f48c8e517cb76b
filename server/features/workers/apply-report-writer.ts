import type { PrismaClient, Worker } from '../../generated/prisma/client.ts';
import { createGroupCommit } from '../../db/group-commit.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import { uniqueSorted } from './unique-sorted.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { Metrics } from '../../metrics/create-metrics.ts';

/** Apply report: the worker swapped version `version` in at `appliedAt` (received at `receivedAt`). */
export interface WorkerApplyReport {
  workerId: string;
  version: number;
  receivedAt: Date;
  appliedAt: Date;
  keys: string[];
  pendingRestart?: string[] | null;
}

// A parameter name never holds one; PostgreSQL refuses NUL in text outright.
const controlCharacter = /[\u0000-\u001f]/;

/** The calling token, resolved by the service. */
export interface ApplyReporter {
  tokenId: string;
  environmentName: string;
}

/**
 * Records apply reports: one row per applied version (the save-to-apply
 * latency) and the worker's applied version. Every save makes every worker
 * report at once, so reports are group-committed: a thousand of them cost a
 * handful of queries, not a thousand transactions. A report is idempotent (a
 * version re-reported after a lost answer is recorded once) and never moves
 * a worker back, across replicas too: the same report reaching two server
 * processes at the same instant (a retry through a load balancer) is inserted
 * by one of them only (unique (worker_id, version), ON CONFLICT DO NOTHING),
 * and only that one moves the worker and observes the latency.
 */
export function createApplyReportWriter({ prisma, logger, metrics }: { prisma: PrismaClient; logger: Logger; metrics: Metrics }) {
  type Item = { reporter: ApplyReporter; report: WorkerApplyReport };
  type Accepted = Item & { worker: Worker; latencyMs: number };

  async function flush(items: readonly Item[]): Promise<(Worker | Error)[]> {
    // Ids as PostgreSQL returns them: a report may spell a uuid in capitals.
    const idOf = (report: WorkerApplyReport) => report.workerId.toLowerCase();
    const ids = [...new Set(items.map(({ report }) => idOf(report)).filter(isUuid))];
    const workers = new Map((await prisma.worker.findMany({ where: { id: { in: ids } } })).map((w) => [w.id, w]));
    const pairs = new Map<string, { environmentId: string; version: number }>();
    const asked: { worker_id: string; version: number }[] = [];
    for (const { report } of items) {
      const worker = workers.get(idOf(report));
      if (!worker || !Number.isInteger(report.version)) continue;
      pairs.set(`${worker.environmentId}:${report.version}`, { environmentId: worker.environmentId, version: report.version });
      asked.push({ worker_id: worker.id, version: report.version });
    }
    const [versions, recorded] = asked.length === 0 ? [[], []] : await Promise.all([
      prisma.configVersion.findMany({ where: { OR: [...pairs.values()] }, select: { environmentId: true, version: true, createdAt: true } }),
      // Already recorded: a report re-sent after its answer was lost.
      prisma.$queryRaw<{ workerId: string; version: number }[]>`
        SELECT a.worker_id::text AS "workerId", a.version
        FROM worker_applies a
        JOIN jsonb_to_recordset(${JSON.stringify(asked)}::jsonb) AS k(worker_id uuid, version int)
          ON a.worker_id = k.worker_id AND a.version = k.version`,
    ]);
    const createdAt = new Map(versions.map((v) => [`${v.environmentId}:${v.version}`, v.createdAt]));
    const seen = new Set(recorded.map((r) => `${r.workerId}:${r.version}`));

    // Checked in submission order against the state the batch has reached,
    // so two reports of one worker in a batch behave as they would one by one.
    const applied = new Map<string, number | null>([...workers.values()].map((w) => [w.id, w.appliedVersion]));
    const outcomes: (Accepted | Worker | Error)[] = items.map((item) => {
      const { reporter, report } = item;
      const worker = workers.get(idOf(report));
      if (!worker) return notFound('Worker', report.workerId);
      if (worker.tokenId !== reporter.tokenId) return forbidden(`Worker ${worker.name} belongs to another service token.`);
      const appliedVersion = applied.get(worker.id) ?? null;
      if (appliedVersion !== null && report.version < appliedVersion) {
        return new AppError('CONFLICT', `Worker ${worker.name} already applied version ${appliedVersion}; versions are applied in order.`, { appliedVersion });
      }
      if (report.appliedAt < report.receivedAt) return badRequest('appliedAt is before receivedAt.', { field: 'appliedAt' });
      for (const field of ['keys', 'pendingRestart'] as const) {
        if (report[field]?.some((name) => controlCharacter.test(name))) return badRequest(`${field} holds parameter names, without control characters.`, { field });
      }
      const savedAt = createdAt.get(`${worker.environmentId}:${report.version}`);
      if (!savedAt) return badRequest(`Version ${report.version} does not exist in ${reporter.environmentName}.`, { field: 'version' });
      const key = `${worker.id}:${report.version}`;
      if (seen.has(key)) return worker; // a re-sent report: accepted once
      seen.add(key);
      applied.set(worker.id, report.version);
      return { ...item, worker, latencyMs: Math.max(0, report.appliedAt.getTime() - savedAt.getTime()) };
    });

    const accepted = outcomes.filter((o): o is Accepted => typeof o === 'object' && 'latencyMs' in o);
    // Every worker a report is answered with, re-sent reports' too: another
    // replica may have moved it since it was read above.
    const answered = [...new Set(outcomes.flatMap((o) => (o instanceof Error ? [] : ['latencyMs' in o ? o.worker.id : o.id])))];
    const current = async (db: Pick<PrismaClient, 'worker'>) => new Map((await db.worker.findMany({ where: { id: { in: answered } } })).map((w) => [w.id, w]));
    if (accepted.length === 0) {
      if (answered.length === 0) return outcomes as Error[];
      const now = await current(prisma);
      return outcomes.map((o) => (o instanceof Error ? o : now.get((o as Worker).id) ?? (o as Worker)));
    }
    const inserted = new Set<string>();
    const updated = await inTransaction(prisma, async (tx) => {
      // A pair another replica inserted since the check above (or is
      // inserting: the unique index makes this wait for its commit) is not
      // inserted again. Ordered, so two replicas take the index's locks in
      // the same order.
      const rows = accepted.map(({ worker, report, latencyMs }) => ({
        worker_id: worker.id, version: report.version, received_at: report.receivedAt.toISOString(), applied_at: report.appliedAt.toISOString(), latency_ms: latencyMs, keys: uniqueSorted(report.keys),
      }));
      const written = await tx.$queryRaw<{ workerId: string; version: number }[]>`
        INSERT INTO worker_applies (worker_id, version, received_at, applied_at, latency_ms, keys)
        SELECT r.worker_id, r.version, r.received_at, r.applied_at, r.latency_ms, r.keys
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(worker_id uuid, version int, received_at timestamptz, applied_at timestamptz, latency_ms float8, keys text[])
        ORDER BY r.worker_id, r.version
        ON CONFLICT (worker_id, version) DO NOTHING
        RETURNING worker_id::text AS "workerId", version`;
      for (const { workerId, version } of written) inserted.add(`${workerId}:${version}`);
      // Per worker: the version of its last report inserted here, and the last
      // pending-restart list any of them carried (null keeps the stored one).
      const finalState = new Map<string, { id: string; applied_version: number; applied_at: string; pending_restart: string[] | null }>();
      for (const { worker, report } of accepted) {
        if (!inserted.has(`${worker.id}:${report.version}`)) continue;
        const previous = finalState.get(worker.id);
        finalState.set(worker.id, {
          id: worker.id,
          applied_version: report.version,
          applied_at: report.appliedAt.toISOString(),
          pending_restart: report.pendingRestart == null ? previous?.pending_restart ?? null : uniqueSorted(report.pendingRestart),
        });
      }
      // One statement for every worker of the batch; the guard keeps a
      // concurrent, newer report from being overwritten by an older one.
      if (finalState.size > 0) {
        await tx.$executeRaw`
          UPDATE workers w SET
            applied_version = v.applied_version,
            received_version = GREATEST(v.applied_version, COALESCE(w.received_version, 0)),
            last_applied_at = v.applied_at,
            last_heartbeat_at = now(),
            pending_restart = COALESCE(v.pending_restart, w.pending_restart)
          FROM jsonb_to_recordset(${JSON.stringify([...finalState.values()])}::jsonb) AS v(id uuid, applied_version int, applied_at timestamptz, pending_restart text[])
          WHERE w.id = v.id AND (w.applied_version IS NULL OR w.applied_version <= v.applied_version)`;
      }
      return current(tx);
    });

    return outcomes.map((outcome) => {
      if (outcome instanceof Error) return outcome;
      // A re-sent report answers with the worker as it now stands.
      if (!('latencyMs' in outcome)) return updated.get(outcome.id) ?? outcome;
      const { worker, report, reporter, latencyMs } = outcome;
      // Recorded by another replica in the meantime: accepted, counted there.
      if (!inserted.has(`${worker.id}:${report.version}`)) return updated.get(worker.id) ?? worker;
      metrics.distributionLatency.observe({ environment: reporter.environmentName }, latencyMs / 1000);
      logger.info({
        event: 'config_version_applied', worker: worker.id, name: worker.name, env: reporter.environmentName,
        config_version: report.version, latency_ms: latencyMs, parameters: report.keys.length,
      }, 'worker applied a version');
      return updated.get(worker.id) ?? worker;
    });
  }

  const commits = createGroupCommit(flush);
  return {
    record: (reporter: ApplyReporter, report: WorkerApplyReport): Promise<Worker> => commits.submit({ reporter, report }),
    drained: () => commits.drained(),
  };
}

export type ApplyReportWriter = ReturnType<typeof createApplyReportWriter>;
