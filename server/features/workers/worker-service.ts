import type { RunKind, Worker, WorkerStatus } from '../../generated/prisma/client.ts';
import { isUuid } from '../../db/is-uuid.ts';
import type { Viewer } from '../../auth/viewer.ts';
import { actorName } from '../../auth/viewer.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { CoreDeps } from '../../core-deps.ts';
import { appendAudit } from '../audit/append-audit.ts';

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

function uniqueSorted(names: string[]): string[] {
  return [...new Set(names.map((name) => name.trim()).filter(Boolean))].sort();
}

/**
 * The registry of runtime workers (paper/live/backtest processes). A worker
 * registers with its environment's service token and then reports its state;
 * the workers trigger NOTIFYs operator-visible changes, which reach the
 * workerStatusChanged subscription through the LISTEN bridge. Apply reports
 * (latency), lag alerts and the like extend this service: registration and
 * ownership checks stay here.
 */
/** Apply report: the worker swapped version `version` in at `appliedAt` (received at `receivedAt`). */
export interface WorkerApplyReport {
  workerId: string;
  version: number;
  receivedAt: Date;
  appliedAt: Date;
  keys: string[];
  pendingRestart?: string[] | null;
}

/** Architecture §11: a worker more than 3 versions or 60 seconds behind is lagging. */
export const lagThresholds = { versions: 3, seconds: 60 } as const;

export function createWorkerService({ prisma, catalogCache, logger, metrics }: CoreDeps) {
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

    /**
     * Records one applied version: the save-to-apply latency (version row
     * created → applied at the worker) goes to the apply log and the
     * Prometheus histogram. Versions are applied in order, so an apply report
     * never moves a worker back.
     */
    async reportApply(viewer: Viewer, report: WorkerApplyReport): Promise<Worker> {
      const token = requireToken(viewer, 'report an applied version');
      const worker = await ownWorker(token, report.workerId);
      if (worker.appliedVersion !== null && report.version < worker.appliedVersion) {
        throw new AppError('CONFLICT', `Worker ${worker.name} already applied version ${worker.appliedVersion}; versions are applied in order.`, { appliedVersion: worker.appliedVersion });
      }
      if (report.appliedAt < report.receivedAt) throw badRequest('appliedAt is before receivedAt.', { field: 'appliedAt' });
      const version = await prisma.configVersion.findUnique({
        where: { environmentId_version: { environmentId: worker.environmentId, version: report.version } },
        select: { createdAt: true },
      });
      if (!version) throw badRequest(`Version ${report.version} does not exist in ${token.environmentName}.`, { field: 'version' });
      const latencyMs = Math.max(0, report.appliedAt.getTime() - version.createdAt.getTime());
      const updated = await inTransaction(prisma, async (tx) => {
        await tx.workerApply.create({
          data: { workerId: worker.id, version: report.version, receivedAt: report.receivedAt, appliedAt: report.appliedAt, latencyMs, keys: uniqueSorted(report.keys) },
        });
        return tx.worker.update({
          where: { id: worker.id },
          data: {
            appliedVersion: report.version,
            receivedVersion: Math.max(report.version, worker.receivedVersion ?? 0),
            lastAppliedAt: report.appliedAt,
            lastHeartbeatAt: new Date(),
            ...(report.pendingRestart != null ? { pendingRestart: uniqueSorted(report.pendingRestart) } : {}),
          },
        });
      });
      metrics.distributionLatency.observe({ environment: token.environmentName }, latencyMs / 1000);
      logger.info({
        event: 'config_version_applied', worker: worker.id, name: worker.name, env: token.environmentName,
        config_version: report.version, latency_ms: latencyMs, parameters: report.keys.length,
      }, 'worker applied a version');
      return updated;
    },

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
