import type { PrismaClient, RunEpoch } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { actorName, type Viewer } from '../../auth/index.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import { readSnapshot } from '../configuration/index.ts';
import { canonical, isParameterSetHash } from './parameter-set-content.ts';
import { terminalRunStatuses } from './run-service.ts';

export interface RecordEpochInput {
  runId: string;
  /** A version of the session's own environment… */
  configVersion: number;
  /** …and the set frozen from it. */
  parameterSetHash: string;
  /** When the session applied it (at a safe boundary). */
  appliedAt: Date;
  /** The worker process running the session, when the session is bound to one. */
  workerId?: string | null;
}

// A worker's clock and ours disagree a little; an epoch from further ahead is a bug, not skew.
const maxClockSkewMs = 60_000;

/**
 * Epochs of paper and live sessions (E4 §9.4: outputs are attributed to the
 * configuration epoch they ran under). The runtime agent, holding its
 * environment's service token, records each version it applies; the first
 * epoch binds the session to its worker. Append-only and in order (the
 * database checks both again); a retried report of the same epoch is
 * answered with the recorded one.
 */
export function createRunEpochService({ prisma, logger }: { prisma: PrismaClient; logger: Logger }) {
  async function recordIn(tx: Tx, viewer: Viewer, input: RecordEpochInput): Promise<{ epoch: RunEpoch; created: boolean }> {
    if (viewer.kind !== 'service') throw forbidden('Epochs are recorded by the session\'s runtime agent, with its service token.');
    if (!isUuid(input.runId)) throw notFound('Run', input.runId);
    if (input.appliedAt.getTime() > Date.now() + maxClockSkewMs) throw badRequest('appliedAt is in the future.', { field: 'appliedAt' });
    // The run row lock orders two epochs of one session (the trigger takes it too).
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM runs WHERE id = ${input.runId}::uuid FOR UPDATE`;
    if (!locked[0]) throw notFound('Run', input.runId);
    const run = await tx.run.findUniqueOrThrow({ where: { id: input.runId }, include: { environment: true } });
    if (run.environmentId !== viewer.environmentId) throw forbidden(`This service token is scoped to another environment than run ${run.name}'s.`);
    if (run.kind !== 'PAPER' && run.kind !== 'LIVE') throw badRequest(`Run ${run.name} is a ${run.kind} run: only paper and live sessions have epochs.`, { field: 'run' });
    const recorded = await tx.runEpoch.findFirst({
      where: { runId: run.id, configVersion: input.configVersion, parameterSetHash: input.parameterSetHash, appliedAt: input.appliedAt },
    });
    if (recorded) return { epoch: recorded, created: false };
    if (terminalRunStatuses.includes(run.status)) {
      throw new AppError('CONFLICT', `Run ${run.name} already ended as ${run.status}; a finished run never changes.`, { status: run.status });
    }
    if (input.appliedAt < run.startedAt) throw badRequest('appliedAt is before the session started.', { field: 'appliedAt' });
    const last = await tx.runEpoch.findFirst({ where: { runId: run.id }, orderBy: { appliedAt: 'desc' }, select: { appliedAt: true } });
    if (last && input.appliedAt < last.appliedAt) {
      throw badRequest(`Epochs come in order: the last one was applied at ${last.appliedAt.toISOString()}.`, { field: 'appliedAt' });
    }
    const set = isParameterSetHash(input.parameterSetHash)
      ? await tx.parameterSet.findUnique({ where: { hash: input.parameterSetHash }, select: { hash: true, values: true } })
      : null;
    if (!set) throw notFound('Parameter set', input.parameterSetHash);
    const environment = run.environment!;
    if (!Number.isInteger(input.configVersion) || input.configVersion < 1 || input.configVersion > environment.activeVersion) {
      throw notFound(`Version of ${environment.name}`, String(input.configVersion));
    }
    if (canonical(await readSnapshot(tx, environment, input.configVersion)) !== canonical(set.values)) {
      throw badRequest(`Parameter set ${set.hash.slice(0, 12)} does not hold the values of version ${input.configVersion} of ${environment.name}.`, { field: 'parameterSetHash' });
    }
    if (input.workerId) {
      const worker = isUuid(input.workerId) ? await tx.worker.findUnique({ where: { id: input.workerId }, select: { environmentId: true } }) : null;
      if (!worker) throw notFound('Worker', input.workerId);
      if (worker.environmentId !== run.environmentId) throw forbidden('The worker runs in another environment than the session.');
    }
    const epoch = await tx.runEpoch.create({
      data: {
        runId: run.id,
        environmentId: environment.id,
        configVersion: input.configVersion,
        parameterSetHash: set.hash,
        workerId: input.workerId ?? null,
        appliedAt: input.appliedAt,
        recordedBy: actorName(viewer),
      },
    });
    await appendAudit(tx, [{
      action: 'run_epoch_recorded',
      actor: actorName(viewer),
      environmentId: environment.id,
      configVersion: input.configVersion,
      subjectId: run.id,
      details: { parameterSetHash: set.hash, appliedAt: input.appliedAt.toISOString(), ...(input.workerId ? { workerId: input.workerId } : {}) },
    }]);
    return { epoch, created: true };
  }

  function logRecorded(epoch: RunEpoch, viewer: Viewer): void {
    logger.info({ event: 'run_epoch_recorded', run: epoch.runId, config_version: epoch.configVersion, parameter_set: epoch.parameterSetHash, recorded_by: actorName(viewer) }, 'session epoch recorded');
  }

  return {
    async recordEpoch(viewer: Viewer, input: RecordEpochInput): Promise<RunEpoch> {
      const { epoch, created } = await inTransaction(prisma, (tx) => recordIn(tx, viewer, input));
      if (created) logRecorded(epoch, viewer);
      return epoch;
    },

    /** The same inside the caller's transaction (a session start); `committed()` logs it once that committed. */
    async recordEpochIn(tx: Tx, viewer: Viewer, input: RecordEpochInput): Promise<{ epoch: RunEpoch; committed(): void }> {
      const { epoch, created } = await recordIn(tx, viewer, input);
      return { epoch, committed: () => (created ? logRecorded(epoch, viewer) : undefined) };
    },
  };
}

export type RunEpochService = ReturnType<typeof createRunEpochService>;
