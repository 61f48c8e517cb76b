import { type PrismaClient, type RunKind, type Worker, type WorkerStatus } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { actorName, type Viewer } from '../../auth/index.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { Metrics } from '../../metrics/create-metrics.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { uniqueSorted } from './unique-sorted.ts';
import { assertMayRegisterAs } from './worker-owner.ts';
import { readRegistration, writeRegistration } from './register-worker-statements.ts';
import type { ApplyReportWriter, WorkerApplyReport } from './apply-report-writer.ts';
import { workerLag } from './lag-rule.ts';

type ServiceViewer = Extract<Viewer, { kind: 'service' }>;

export interface RegisterWorkerInput {
  name: string;
  mode: RunKind;
  /** The parameter names the worker reads. */
  consumes: string[];
  /**
   * Its first status report, recorded with the registration (a runtime agent
   * registers as it becomes READY: one request fewer per worker at start).
   */
  status?: Omit<WorkerStatusReport, 'workerId'> | null;
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

/** Reported versions exist: 1 to the environment's active version. */
function assertReportedVersions(report: Omit<WorkerStatusReport, 'workerId'>, activeVersion: number): void {
  for (const field of ['receivedVersion', 'appliedVersion'] as const) {
    const version = report[field];
    if (version != null && (!Number.isInteger(version) || version < 1 || version > activeVersion)) {
      throw badRequest(`${field} ${version} does not exist: the environment is at version ${activeVersion}.`, { field });
    }
  }
}

/** The columns a status report sets; omitted fields keep their stored value. */
function statusData(report: Omit<WorkerStatusReport, 'workerId'>, appliedVersionBefore: number | null | undefined, now: Date) {
  const appliedChanged = report.appliedVersion != null && report.appliedVersion !== appliedVersionBefore;
  return {
    status: report.status,
    lastHeartbeatAt: now,
    ...(report.receivedVersion != null ? { receivedVersion: report.receivedVersion } : {}),
    ...(appliedChanged ? { appliedVersion: report.appliedVersion, lastAppliedAt: now } : {}),
    ...(report.pendingRestart != null ? { pendingRestart: uniqueSorted(report.pendingRestart) } : {}),
  };
}

function requireToken(viewer: Viewer, what: string): ServiceViewer {
  if (viewer.kind !== 'service') throw forbidden(`Only a worker's service token can ${what}.`);
  return viewer;
}

export interface WorkerServiceDeps {
  prisma: PrismaClient;
  /** Plain SQL for the registration's statements (a fleet registers at once). */
  sql: SqlClient;
  /** Registration checks what a worker consumes against the catalog. */
  catalog: CatalogCache;
  logger: Logger;
  /** The lagging-workers gauge. */
  metrics: Metrics;
  /** Where apply reports are group-committed (apply-report-writer.ts). */
  applyReports: ApplyReportWriter;
}

/**
 * The registry of runtime workers (paper/live/backtest processes). A worker
 * registers with its environment's service token and then reports its state;
 * the workers trigger NOTIFYs operator-visible changes, which reach the
 * workerStatusChanged subscription through the LISTEN bridge. Apply reports
 * (latency) and the lag gauge extend this service: registration and
 * ownership checks stay here.
 */
export function createWorkerService({ prisma, sql, catalog, logger, metrics, applyReports }: WorkerServiceDeps) {
  /** A token acts for the workers it registered, and only those. */
  async function ownWorker(viewer: ServiceViewer, workerId: string): Promise<Worker> {
    const worker = isUuid(workerId) ? await prisma.worker.findUnique({ where: { id: workerId } }) : null;
    if (!worker) throw notFound('Worker', workerId);
    if (worker.tokenId !== viewer.tokenId) throw forbidden(`Worker ${worker.name} belongs to another service token.`);
    return worker;
  }

  async function register(viewer: Viewer, input: RegisterWorkerInput): Promise<Worker> {
    const token = requireToken(viewer, 'register a worker');
    const name = input.name.trim();
    if (!namePattern.test(name)) {
      throw badRequest('A worker name is 1 to 128 letters, digits, dots, colons, dashes or underscores.', { field: 'name' });
    }
    const consumes = uniqueSorted(input.consumes);
    // ADR-59: a parameter the code reads but the catalog lacks is a failure
    // at start, not a silent default later. Entries are never deleted or
    // renamed (the catalog guard trigger), so names found in the snapshot in
    // memory are there; only a miss asks the database for the latest.
    const known = (snapshot: { entries: ReadonlyMap<string, unknown> } | undefined) => consumes.filter((parameter) => !snapshot?.entries.has(parameter));
    let unknown = known(catalog.peek());
    if (unknown.length) unknown = known(await catalog.load(prisma));
    if (unknown.length) {
      throw new AppError('VALIDATION_FAILED', `The catalog has no ${unknown.join(', ')}: add ${unknown.length === 1 ? 'it' : 'them'} before a worker consumes ${unknown.length === 1 ? 'it' : 'them'}.`, {
        violations: unknown.map((parameter) => ({ code: 'UNKNOWN_PARAMETER', parameter, message: `${parameter} is not in the catalog.` })),
      });
    }
    // Positive integers here; that the environment has them, in the statement.
    if (input.status) assertReportedVersions(input.status, Number.MAX_SAFE_INTEGER);
    const status = input.status ? {
      status: input.status.status,
      receivedVersion: input.status.receivedVersion ?? null,
      appliedVersion: input.status.appliedVersion ?? null,
      pendingRestart: input.status.pendingRestart != null ? uniqueSorted(input.status.pendingRestart) : null,
    } : null;
    const write = (checkedOwner: { tokenId: string | null } | undefined) => writeRegistration(sql, {
      name, mode: input.mode, environmentId: token.environmentId, tokenId: token.tokenId, consumes, status, checkedOwner, actor: actorName(token), at: new Date(),
    });
    // A new name, or this token's own worker: one statement
    // (register-worker-statements.ts). Anything else is read and judged, and
    // written only onto the row as it was judged; a registration that raced
    // this one is read and judged on the next turn.
    let written = await write({ tokenId: token.tokenId });
    for (let attempt = 0; !written && attempt < 5; attempt += 1) {
      const state = await readRegistration(sql, token.environmentId, name);
      if (!state) throw notFound('Environment', token.environmentName);
      if (state.existing) assertMayRegisterAs(token, name, state.existing.owner);
      if (input.status) assertReportedVersions(input.status, state.activeVersion);
      written = await write(state.existing ? { tokenId: state.existing.owner.tokenId } : undefined);
    }
    if (!written) throw new AppError('CONFLICT', `Worker ${name} is being registered by another token at the same time: try again.`, { name });
    logger.info({ event: 'worker_registered', worker: written.worker.id, name, env: token.environmentName, mode: written.worker.mode, created: written.created }, 'worker registered');
    return written.worker;
  }

  return {
    ownWorker,

    /**
     * Upsert by (environment, name): a restarted worker re-registers under its
     * name and keeps its history. A name belongs to the token that registered
     * it, or to that token's successor (same name, same environment: the
     * reference worker gets a fresh token at each start); any other token is
     * refused (FORBIDDEN, worker-owner.ts), so no token takes over a worker.
     */
    async registerWorker(viewer: Viewer, input: RegisterWorkerInput): Promise<Worker> {
      return register(viewer, input);
    },

    async reportWorkerStatus(viewer: Viewer, report: WorkerStatusReport): Promise<Worker> {
      const token = requireToken(viewer, 'report a worker\'s status');
      const worker = await ownWorker(token, report.workerId);
      const environment = await prisma.environment.findUniqueOrThrow({ where: { id: worker.environmentId }, select: { activeVersion: true } });
      assertReportedVersions(report, environment.activeVersion);
      const updated = await prisma.worker.update({ where: { id: worker.id }, data: statusData(report, worker.appliedVersion, new Date()) });
      if (updated.status !== worker.status || updated.appliedVersion !== worker.appliedVersion) {
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

    /**
     * Records one applied version and answers with the worker's id only: for
     * a caller that needs no more (the agent's own reports), nothing is read
     * after the write.
     */
    async recordApply(viewer: Viewer, report: WorkerApplyReport): Promise<string> {
      const token = requireToken(viewer, 'report an applied version');
      return applyReports.recordId({ tokenId: token.tokenId, environmentName: token.environmentName }, report);
    },

    /** Settles the apply reports in flight (shutdown). */
    drained: () => applyReports.drained(),

    /**
     * Sets the lagging-workers gauge (at each /metrics scrape). The query only
     * gathers the rule's inputs per running worker; lag-rule.ts decides, the
     * same function the Worker fields call, so gauge and dashboard agree.
     */
    async refreshLagMetrics(): Promise<void> {
      const rows = await prisma.$queryRaw<{ environment: string; activeVersion: number; appliedVersion: number | null; nextVersionSavedAt: Date | null }[]>`
        SELECT e.name AS environment, e.active_version AS "activeVersion",
               w.applied_version AS "appliedVersion", next.created_at AS "nextVersionSavedAt"
        FROM environments e
        LEFT JOIN workers w ON w.environment_id = e.id AND w.status <> 'STOPPED'
        LEFT JOIN config_versions next ON next.environment_id = e.id AND next.version = w.applied_version + 1`;
      const now = new Date();
      const lagging = new Map<string, number>();
      for (const row of rows) lagging.set(row.environment, (lagging.get(row.environment) ?? 0) + (workerLag(row, now).lagging ? 1 : 0));
      for (const [environment, count] of lagging) metrics.laggingWorkers.set({ environment }, count);
    },
  };
}

export type WorkerService = ReturnType<typeof createWorkerService>;
