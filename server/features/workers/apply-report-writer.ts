import type { PrismaClient, Worker } from '../../generated/prisma/client.ts';
import { createGroupCommit } from '../../db/group-commit.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import { uniqueSorted } from './unique-sorted.ts';
import { arrayLiteral, readWorkers } from './worker-rows.ts';
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
    const workers = await readWorkers(prisma, ids);
    const asked: { workerId: string; version: number }[] = [];
    for (const { report } of items) {
      const worker = workers.get(idOf(report));
      // A version outside int4 names no version (refused below as not existing).
      if (!worker || !Number.isInteger(report.version) || report.version < 1 || report.version > 2_147_483_647) continue;
      asked.push({ workerId: worker.id, version: report.version });
    }
    // Each asked pair's version commit time and whether it is already
    // recorded (a report re-sent after its answer was lost): one statement of
    // one shape (arrays, not a list of literals) for any batch.
    const found = asked.length === 0 ? [] : await prisma.$queryRaw<{ workerId: string; environmentId: string; version: number; createdAt: Date | null; recorded: boolean }[]>`
      SELECT k.worker_id::text AS "workerId", w.environment_id::text AS "environmentId", k.version, v.created_at AS "createdAt", a.worker_id IS NOT NULL AS recorded
      FROM unnest(${asked.map((a) => a.workerId)}::uuid[], ${asked.map((a) => a.version)}::int[]) AS k(worker_id, version)
      JOIN workers w ON w.id = k.worker_id
      LEFT JOIN config_versions v ON v.environment_id = w.environment_id AND v.version = k.version
      LEFT JOIN worker_applies a ON a.worker_id = k.worker_id AND a.version = k.version`;
    const versions = found.filter((f) => f.createdAt !== null).map((f) => ({ environmentId: f.environmentId, version: f.version, createdAt: f.createdAt as Date }));
    const recorded = found.filter((f) => f.recorded);
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
    const current = (db: Pick<PrismaClient, '$queryRaw'>) => readWorkers(db, answered);
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
      const written = await tx.$queryRaw<{ workerId: string; version: number }[]>`
        INSERT INTO worker_applies (worker_id, version, received_at, applied_at, latency_ms, keys)
        SELECT r.worker_id, r.version, r.received_at, r.applied_at, r.latency_ms, r.keys::text[]
        FROM unnest(
          ${accepted.map((a) => a.worker.id)}::uuid[], ${accepted.map((a) => a.report.version)}::int[],
          ${accepted.map((a) => a.report.receivedAt)}::timestamptz[], ${accepted.map((a) => a.report.appliedAt)}::timestamptz[],
          ${accepted.map((a) => a.latencyMs)}::float8[], ${accepted.map((a) => arrayLiteral(uniqueSorted(a.report.keys)))}::text[]
        ) AS r(worker_id, version, received_at, applied_at, latency_ms, keys)
        ORDER BY r.worker_id, r.version
        ON CONFLICT (worker_id, version) DO NOTHING
        RETURNING worker_id::text AS "workerId", version`;
      for (const { workerId, version } of written) inserted.add(`${workerId}:${version}`);
      // Per worker: the version of its last report inserted here, and the last
      // pending-restart list any of them carried (null keeps the stored one).
      const finalState = new Map<string, { id: string; applied_version: number; applied_at: Date; pending_restart: string[] | null }>();
      for (const { worker, report } of accepted) {
        if (!inserted.has(`${worker.id}:${report.version}`)) continue;
        const previous = finalState.get(worker.id);
        finalState.set(worker.id, {
          id: worker.id,
          applied_version: report.version,
          applied_at: report.appliedAt,
          pending_restart: report.pendingRestart == null ? previous?.pending_restart ?? null : uniqueSorted(report.pendingRestart),
        });
      }
      // One statement for every worker of the batch; the guard keeps a
      // concurrent, newer report from being overwritten by an older one.
      if (finalState.size > 0) {
        const states = [...finalState.values()];
        await tx.$executeRaw`
          UPDATE workers w SET
            applied_version = v.applied_version,
            received_version = GREATEST(v.applied_version, COALESCE(w.received_version, 0)),
            last_applied_at = v.applied_at,
            last_heartbeat_at = now(),
            pending_restart = COALESCE(v.pending_restart, w.pending_restart)
          FROM (
            SELECT id, applied_version, applied_at, pending_restart::text[] AS pending_restart
            FROM unnest(${states.map((v) => v.id)}::uuid[], ${states.map((v) => v.applied_version)}::int[], ${states.map((v) => v.applied_at)}::timestamptz[],
                        ${states.map((v) => (v.pending_restart === null ? null : arrayLiteral(v.pending_restart)))}::text[]) AS u(id, applied_version, applied_at, pending_restart)
          ) AS v
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
