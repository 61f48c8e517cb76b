import type { PrismaClient, Worker } from '../../generated/prisma/client.ts';
import { createGroupCommit } from '../../db/group-commit.ts';
import { isUuid } from '../../db/is-uuid.ts';
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
 * version re-reported after a lost answer is accepted once) and never moves
 * a worker back.
 */
export function createApplyReportWriter({ prisma, logger, metrics }: { prisma: PrismaClient; logger: Logger; metrics: Metrics }) {
  type Item = { reporter: ApplyReporter; report: WorkerApplyReport };
  type Accepted = Item & { worker: Worker; latencyMs: number };

  async function flush(items: readonly Item[]): Promise<(Worker | Error)[]> {
    const ids = [...new Set(items.map((item) => item.report.workerId).filter(isUuid))];
    const workers = new Map((await prisma.worker.findMany({ where: { id: { in: ids } } })).map((w) => [w.id, w]));
    const pairs = new Map<string, { environmentId: string; version: number }>();
    for (const { report } of items) {
      const worker = workers.get(report.workerId);
      if (worker && Number.isInteger(report.version)) pairs.set(`${worker.environmentId}:${report.version}`, { environmentId: worker.environmentId, version: report.version });
    }
    const versions = pairs.size === 0 ? [] : await prisma.configVersion.findMany({
      where: { OR: [...pairs.values()] },
      select: { environmentId: true, version: true, createdAt: true },
    });
    const createdAt = new Map(versions.map((v) => [`${v.environmentId}:${v.version}`, v.createdAt]));

    // Checked in submission order against the state the batch has reached,
    // so two reports of one worker in a batch behave as they would one by one.
    const applied = new Map<string, number | null>([...workers.values()].map((w) => [w.id, w.appliedVersion]));
    const outcomes: (Accepted | Worker | Error)[] = items.map((item) => {
      const { reporter, report } = item;
      const worker = workers.get(report.workerId);
      if (!worker) return notFound('Worker', report.workerId);
      if (worker.tokenId !== reporter.tokenId) return forbidden(`Worker ${worker.name} belongs to another service token.`);
      if (report.appliedAt < report.receivedAt) return badRequest('appliedAt is before receivedAt.', { field: 'appliedAt' });
      const appliedVersion = applied.get(worker.id) ?? null;
      if (appliedVersion !== null && report.version === appliedVersion) return worker; // a re-sent report
      if (appliedVersion !== null && report.version < appliedVersion) {
        return new AppError('CONFLICT', `Worker ${worker.name} already applied version ${appliedVersion}; versions are applied in order.`, { appliedVersion });
      }
      const savedAt = createdAt.get(`${worker.environmentId}:${report.version}`);
      if (!savedAt) return badRequest(`Version ${report.version} does not exist in ${reporter.environmentName}.`, { field: 'version' });
      applied.set(worker.id, report.version);
      return { ...item, worker, latencyMs: Math.max(0, report.appliedAt.getTime() - savedAt.getTime()) };
    });

    const accepted = outcomes.filter((o): o is Accepted => typeof o === 'object' && 'latencyMs' in o);
    if (accepted.length === 0) return outcomes as (Worker | Error)[];
    // Per worker, the last accepted report carries its new state.
    const finalState = new Map(accepted.map((a) => [a.worker.id, a]));
    const { inserted, updated } = await inTransaction(prisma, async (tx) => {
      const inserted = await tx.workerApply.createManyAndReturn({
        data: accepted.map(({ worker, report, latencyMs }) => ({
          workerId: worker.id, version: report.version, receivedAt: report.receivedAt, appliedAt: report.appliedAt, latencyMs, keys: uniqueSorted(report.keys),
        })),
        skipDuplicates: true, // another server process recorded it first
        select: { workerId: true, version: true },
      });
      const rows = [...finalState.values()].map(({ worker, report }) => ({
        id: worker.id,
        applied_version: report.version,
        applied_at: report.appliedAt.toISOString(),
        pending_restart: report.pendingRestart == null ? null : uniqueSorted(report.pendingRestart),
      }));
      // One statement for every worker of the batch; the guard keeps a
      // concurrent, newer report from being overwritten by an older one.
      await tx.$executeRaw`
        UPDATE workers w SET
          applied_version = v.applied_version,
          received_version = GREATEST(v.applied_version, COALESCE(w.received_version, 0)),
          last_applied_at = v.applied_at,
          last_heartbeat_at = now(),
          pending_restart = COALESCE(v.pending_restart, w.pending_restart)
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v(id uuid, applied_version int, applied_at timestamptz, pending_restart text[])
        WHERE w.id = v.id AND (w.applied_version IS NULL OR w.applied_version <= v.applied_version)`;
      const updated = await tx.worker.findMany({ where: { id: { in: [...finalState.keys()] } } });
      return { inserted, updated: new Map(updated.map((w) => [w.id, w])) };
    });

    const recorded = new Set(inserted.map((row) => `${row.workerId}:${row.version}`));
    return outcomes.map((outcome) => {
      if (outcome instanceof Error) return outcome;
      // A re-sent report answers with the worker as this batch left it.
      if (!('latencyMs' in outcome)) return updated.get(outcome.id) ?? outcome;
      const { worker, report, reporter, latencyMs } = outcome;
      if (recorded.has(`${worker.id}:${report.version}`)) {
        metrics.distributionLatency.observe({ environment: reporter.environmentName }, latencyMs / 1000);
        logger.info({
          event: 'config_version_applied', worker: worker.id, name: worker.name, env: reporter.environmentName,
          config_version: report.version, latency_ms: latencyMs, parameters: report.keys.length,
        }, 'worker applied a version');
      }
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
