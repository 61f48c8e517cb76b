import type { Prisma, PrismaClient, Run, RunKind, RunStatus } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { actorName, hasRole, type Viewer } from '../../auth/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import { assertJsonWithinLimits, type JsonLimits } from './assert-json-limits.ts';
import { isParameterSetHash } from './parameter-set-content.ts';

export interface CreateRunInput {
  kind: RunKind;
  name: string;
  parameterSetHash: string;
  metadata?: unknown;
}

export interface UpdateRunStatusInput {
  id: string;
  status: RunStatus;
  /** Defaults to now for a terminal status; refused for a non-terminal one. */
  endedAt?: Date | null;
}

/** A run that reached one of these is history: its outcome never changes. */
export const terminalRunStatuses: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

function assertMayRegister(viewer: Viewer): void {
  if (viewer.kind === 'service' || hasRole(viewer, 'EDITOR')) return;
  throw forbidden('Registering or updating a run needs the editor role or a service token.');
}

/**
 * Runs (experiments, backtests, paper and live sessions), each bound to the
 * parameter set it ran under. The binding is the point (KPI 2): the database
 * refuses a run without an existing set, and this service says so first in
 * words (NOT_FOUND) rather than as a foreign-key fault.
 *
 * A run runs in one environment: a service token's own (it may run only the
 * sets its environment froze), or for an operator's run the environment its
 * set was first frozen from. A token moves only its environment's runs.
 * `jsonLimits` bound the metadata a run keeps forever.
 */
export function createRunService({ prisma, logger, jsonLimits }: { prisma: PrismaClient; logger: Logger; jsonLimits?: JsonLimits }) {
  return {
    async createRun(viewer: Viewer, input: CreateRunInput): Promise<Run> {
      assertMayRegister(viewer);
      const name = input.name.trim();
      if (name.length === 0 || name.length > 200) throw badRequest('Give the run a name of 1 to 200 characters.', { field: 'name' });
      const metadata = input.metadata ?? {};
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        throw badRequest('metadata must be a JSON object.', { field: 'metadata' });
      }
      assertJsonWithinLimits(metadata, 'metadata', jsonLimits);
      const run = await inTransaction(prisma, async (tx) => {
        const token = viewer.kind === 'service' ? viewer : undefined;
        const set = isParameterSetHash(input.parameterSetHash)
          ? await tx.parameterSet.findUnique({ where: { hash: input.parameterSetHash }, select: { hash: true, environmentId: true } })
          : null;
        if (!set) throw notFound('Parameter set', input.parameterSetHash);
        const frozenHere = token && await tx.parameterSetFreeze.findUnique({
          where: { parameterSetHash_environmentId: { parameterSetHash: set.hash, environmentId: token.environmentId } },
          select: { environmentId: true },
        });
        if (token && !frozenHere) {
          throw forbidden(`${token.environmentName} never froze parameter set ${set.hash}: a service token runs only the sets its own environment froze.`);
        }
        const created = await tx.run.create({
          data: {
            kind: input.kind,
            name,
            parameterSetHash: set.hash,
            environmentId: token ? token.environmentId : set.environmentId,
            metadata: metadata as Prisma.InputJsonObject,
            createdById: viewer.kind === 'user' ? viewer.userId : null,
          },
        });
        await appendAudit(tx, [{
          action: 'run_registered',
          actor: actorName(viewer),
          environmentId: created.environmentId,
          subjectId: created.id,
          details: { kind: created.kind, name: created.name, parameterSetHash: set.hash },
        }]);
        return created;
      });
      logger.info({ event: 'run_registered', run: run.id, kind: run.kind, parameter_set: run.parameterSetHash, registered_by: actorName(viewer) }, 'run registered');
      return run;
    },

    /**
     * Moves a run forward: PENDING → RUNNING → a terminal status (or straight
     * to one). A terminal status is final (CONFLICT), so a late or duplicate
     * report from an orchestrator cannot rewrite an outcome.
     */
    async updateRunStatus(viewer: Viewer, input: UpdateRunStatusInput): Promise<Run> {
      assertMayRegister(viewer);
      if (!isUuid(input.id)) throw notFound('Run', input.id);
      const terminal = terminalRunStatuses.includes(input.status);
      if (!terminal && input.endedAt) throw badRequest(`A ${input.status} run has not ended: leave endedAt out.`, { field: 'endedAt' });
      const updated = await inTransaction(prisma, async (tx) => {
        // Row lock: two status reports for one run serialise, and the second sees the first.
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM runs WHERE id = ${input.id}::uuid FOR UPDATE`;
        if (!locked[0]) throw notFound('Run', input.id);
        const run = await tx.run.findUniqueOrThrow({ where: { id: input.id } });
        if (viewer.kind === 'service' && run.environmentId !== viewer.environmentId) {
          throw forbidden(`Run ${run.name} runs in another environment than ${viewer.environmentName}, the one this service token is for.`);
        }
        if (terminalRunStatuses.includes(run.status)) {
          throw new AppError('CONFLICT', `Run ${run.name} already ended as ${run.status}; its status cannot change again.`, { status: run.status });
        }
        if (run.status === 'RUNNING' && input.status === 'PENDING') {
          throw new AppError('CONFLICT', `Run ${run.name} is already running; it cannot go back to PENDING.`, { status: run.status });
        }
        const endedAt = terminal ? (input.endedAt ?? new Date()) : null;
        if (endedAt && endedAt < run.startedAt) throw badRequest('endedAt is before the run started.', { field: 'endedAt' });
        return tx.run.update({ where: { id: run.id }, data: { status: input.status, endedAt } });
      });
      logger.info({ event: 'run_status_changed', run: updated.id, status: updated.status, changed_by: actorName(viewer) }, 'run status changed');
      return updated;
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;
