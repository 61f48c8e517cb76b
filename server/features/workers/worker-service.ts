import type { RunKind, Worker, WorkerStatus } from '../../generated/prisma/client.ts';
import { isUuid } from '../../db/is-uuid.ts';
import type { Viewer } from '../../auth/viewer.ts';
import { actorName } from '../../auth/viewer.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { CoreDeps } from '../../core-deps.ts';
import { appendAudit } from '../audit/append-audit.ts';
import { uniqueSorted } from './unique-sorted.ts';
import { createApplyReportWriter, type WorkerApplyReport } from './apply-report-writer.ts';

export type { WorkerApplyReport } from './apply-report-writer.ts';

type ServiceViewer = Extract<Viewer, { kind: 'service' }>;

export interface RegisterWorkerInput {
  name: string;
  mode: RunKind;
  /** The parameter names the worker reads. */
  consumes: string[];
}

/** A heartbeat with the worker's state; omitted fields keep their stored value. */
export interface WorkerStatusReport {
  workerId: string;
  status: WorkerStatus;
  receivedVersion?: number | null;
  appliedVersion?: number | null;
  pendingRestart?: string[] | null;
}

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** How many versions a worker is behind its environment; null until it applied one. */
export function lagVersions(activeVersion: number, appliedVersion: number | null): number | null {
  return appliedVersion === null ? null : Math.max(0, activeVersion - appliedVersion);
}

function requireToken(viewer: Viewer, what: string): ServiceViewer {
  if (viewer.kind !== 'service') throw forbidden(`Only a worker's service token can ${what}.`);
  return viewer;
}

/**
 * The registry of runtime workers (paper/live/backtest processes). A worker
 * registers with its environment's service token and then reports its state;
 * the workers trigger NOTIFYs operator-visible changes, which reach the
 * workerStatusChanged subscription through the LISTEN bridge. Apply reports
 * (latency), lag alerts and the like extend this service: registration and
 * ownership checks stay here.
 */
/** Architecture §11: a worker more than 3 versions or 60 seconds behind is lagging. */
export const lagThresholds = { versions: 3, seconds: 60 } as const;

export function createWorkerService({ prisma, catalogCache, logger, metrics }: CoreDeps) {
  const applyReports = createApplyReportWriter({ prisma, logger, metrics });
  /** A token acts for the workers it registered, and only those. */
  async function ownWorker(viewer: ServiceViewer, workerId: string): Promise<Worker> {
    const worker = isUuid(workerId) ? await prisma.worker.findUnique({ where: { id: workerId } }) : null;
    if (!worker) throw notFound('Worker', workerId);
    if (worker.tokenId !== viewer.tokenId) throw forbidden(`Worker ${worker.name} belongs to another service token.`);
    return worker;
  }

  return {
    ownWorker,

    /** Upsert by (environment, name): a restarted worker re-registers under its name and keeps its history. */
    async registerWorker(viewer: Viewer, input: RegisterWorkerInput): Promise<Worker> {
      const token = requireToken(viewer, 'register a worker');
      const name = input.name.trim();
      if (!namePattern.test(name)) {
        throw badRequest('A worker name is 1 to 128 letters, digits, dots, colons, dashes or underscores.', { field: 'name' });
      }
      const consumes = uniqueSorted(input.consumes);
      const { worker, created } = await inTransaction(prisma, async (tx) => {
        // ADR-59: a parameter the code reads but the catalog lacks is a
        // failure at start, not a silent default later.
        const catalog = await catalogCache.load(tx);
        const unknown = consumes.filter((parameter) => !catalog.entries.has(parameter));
        if (unknown.length) {
          throw new AppError('VALIDATION_FAILED', `The catalog has no ${unknown.join(', ')}: add ${unknown.length === 1 ? 'it' : 'them'} before a worker consumes ${unknown.length === 1 ? 'it' : 'them'}.`, {
            violations: unknown.map((parameter) => ({ code: 'UNKNOWN_PARAMETER', parameter, message: `${parameter} is not in the catalog.` })),
          });
        }
        const key = { environmentId_name: { environmentId: token.environmentId, name } };
        const existing = await tx.worker.findUnique({ where: key, select: { id: true } });
        // Re-registration only refreshes what the worker declares; its state
        // (versions, pending restarts) is whatever it reports next.
        const saved = await tx.worker.upsert({
          where: key,
          create: { name, mode: input.mode, environmentId: token.environmentId, tokenId: token.tokenId, consumes, pendingRestart: [], lastHeartbeatAt: new Date() },
          update: { mode: input.mode, tokenId: token.tokenId, consumes, lastHeartbeatAt: new Date() },
        });
        await appendAudit(tx, [{
          action: 'worker_registered',
          actor: actorName(token),
          environmentId: token.environmentId,
          subjectId: saved.id,
          details: { name, mode: input.mode, consumes: consumes.length, reRegistered: !!existing },
        }]);
        return { worker: saved, created: !existing };
      });
      logger.info({ event: 'worker_registered', worker: worker.id, name, env: token.environmentName, mode: worker.mode, created }, 'worker registered');
      return worker;
    },

    async reportWorkerStatus(viewer: Viewer, report: WorkerStatusReport): Promise<Worker> {
      const token = requireToken(viewer, 'report a worker\'s status');
      const worker = await ownWorker(token, report.workerId);
      const environment = await prisma.environment.findUniqueOrThrow({ where: { id: worker.environmentId }, select: { activeVersion: true } });
      for (const field of ['receivedVersion', 'appliedVersion'] as const) {
        const version = report[field];
        if (version != null && (!Number.isInteger(version) || version < 1 || version > environment.activeVersion)) {
          throw badRequest(`${field} ${version} does not exist: the environment is at version ${environment.activeVersion}.`, { field });
        }
      }
      const now = new Date();
      const appliedChanged = report.appliedVersion != null && report.appliedVersion !== worker.appliedVersion;
      const updated = await prisma.worker.update({
        where: { id: worker.id },
        data: {
          status: report.status,
          lastHeartbeatAt: now,
          ...(report.receivedVersion != null ? { receivedVersion: report.receivedVersion } : {}),
          ...(appliedChanged ? { appliedVersion: report.appliedVersion, lastAppliedAt: now } : {}),
          ...(report.pendingRestart != null ? { pendingRestart: uniqueSorted(report.pendingRestart) } : {}),
        },
      });
      if (updated.status !== worker.status || appliedChanged) {
        logger.info({
          event: 'worker_status_reported', worker: worker.id, name: worker.name, env: token.environmentName,
          status: updated.status, applied_version: updated.appliedVersion,
        }, 'worker status changed');
      }
      return updated;
    },

    /** Records one applied version (group-committed with the other workers' reports: apply-report-writer.ts). */
    async reportApply(viewer: Viewer, report: WorkerApplyReport): Promise<Worker> {
      const token = requireToken(viewer, 'report an applied version');
      return applyReports.record({ tokenId: token.tokenId, environmentName: token.environmentName }, report);
    },

    /** Settles the apply reports in flight (shutdown). */
    drained: () => applyReports.drained(),

    /** Sets the lagging-workers gauge from the database (called at each /metrics scrape). */
    async refreshLagMetrics(): Promise<void> {
      const rows = await prisma.$queryRaw<{ environment: string; lagging: bigint }[]>`
        SELECT e.name AS environment,
               count(w.id) FILTER (WHERE w.applied_version IS NOT NULL AND (
                 e.active_version - w.applied_version > ${lagThresholds.versions}
                 OR (e.active_version > w.applied_version AND next.created_at < now() - make_interval(secs => ${lagThresholds.seconds}))
               )) AS lagging
        FROM environments e
        LEFT JOIN workers w ON w.environment_id = e.id AND w.status <> 'STOPPED'
        LEFT JOIN config_versions next ON next.environment_id = e.id AND next.version = w.applied_version + 1
        GROUP BY e.name`;
      for (const row of rows) metrics.laggingWorkers.set({ environment: row.environment }, Number(row.lagging));
    },
  };
}

export type WorkerService = ReturnType<typeof createWorkerService>;
