import type { Prisma, PrismaClient, Run, RunKind, RunStatus } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { actorName, hasRole, requireRole, type Viewer } from '../../auth/index.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { violationsError } from '../configuration/index.ts';
import { readFactors } from './experimental-factors.ts';
import { deprecatedInSet, metadataViolations } from './freeze-check.ts';
import { assertJsonWithinLimits, type JsonLimits } from './assert-json-limits.ts';
import { isParameterSetHash } from './parameter-set-content.ts';
import { pinRun, type PinRequest } from './pin-run.ts';

export interface CreateRunInput extends PinRequest {
  kind: RunKind;
  name: string;
  parameterSetHash: string;
  metadata?: unknown;
}

/** What a session start adds to a registration (session-service.ts). */
export interface RegisterOptions {
  rerunOfId?: string;
  /** A session is RUNNING from its first moment (the database lets a new run start PENDING or RUNNING). */
  status?: 'PENDING' | 'RUNNING';
  /** When the session started by its agent's clock (its epochs use the same clock); the server's now by default. */
  startedAt?: Date;
  /** A uuid the caller chose, so a retried start finds the run it made. */
  id?: string;
}

export interface RerunInput {
  /** The run to repeat (its uuid). */
  id: string;
  /** Defaults to the original's name. */
  name?: string | null;
}

export interface UpdateRunStatusInput {
  id: string;
  status: RunStatus;
  /** Defaults to now for a terminal status; refused for a non-terminal one. */
  endedAt?: Date | null;
  /** Why it ended so (a failure's cause, who cancelled and why); terminal statuses only. */
  outcomeMessage?: string | null;
  /** `<algorithm>:<hex>` of the run's outputs (the backtest runner's); terminal statuses only. */
  outputDigest?: string | null;
  /** Compare-and-set: CONFLICT unless the run is in this status now (an executor claims a PENDING run so). */
  expectedStatus?: RunStatus | null;
}

/** A run that reached one of these is history: its outcome never changes. */
export const terminalRunStatuses: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

const outputDigestPattern = /^[a-z0-9-]{1,20}:[0-9a-f]{32,128}$/;

function assertMayRegister(viewer: Viewer): void {
  if (viewer.kind === 'service' || hasRole(viewer, 'EDITOR')) return;
  throw forbidden('Registering or updating a run needs the editor role or a service token.');
}

function runName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 200) throw badRequest('Give the run a name of 1 to 200 characters.', { field: 'name' });
  return name;
}

function metadataObject(value: unknown): Record<string, unknown> {
  const metadata = value ?? {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw badRequest('metadata must be a JSON object.', { field: 'metadata' });
  }
  return metadata as Record<string, unknown>;
}

/**
 * Runs (experiments, backtests, paper and live sessions), each bound to the
 * parameter set it ran under AND to its own environment version (pin-run.ts).
 * The binding is the point (KPI 2): the database refuses a run without an
 * existing set and version, and this service says so first in words.
 * Status moves forward only and a finished run never changes (the database
 * holds that line too). A service token starts runs only in its own
 * environment on sets that environment froze, and moves only its
 * environment's runs. `jsonLimits` bound the metadata a run keeps forever.
 */
export function createRunService({ prisma, catalog, logger, jsonLimits, onBacktestQueued }: {
  prisma: PrismaClient;
  catalog: CatalogCache;
  logger: Logger;
  jsonLimits?: JsonLimits;
  /** Told after a re-run of a backtest committed: the product executes it (app/backtest-executor.ts). */
  onBacktestQueued?: () => void;
}) {
  async function register(tx: Tx, viewer: Viewer, input: CreateRunInput & RegisterOptions): Promise<Run> {
    const name = runName(input.name);
    const metadata = metadataObject(input.metadata);
    assertJsonWithinLimits(metadata, 'metadata', jsonLimits);
    const set = isParameterSetHash(input.parameterSetHash)
      ? await tx.parameterSet.findUnique({
        where: { hash: input.parameterSetHash },
        select: { hash: true, environmentId: true, configVersion: true, values: true, factors: true, environment: { select: { name: true } } },
      })
      : null;
    if (!set) throw notFound('Parameter set', input.parameterSetHash);
    const { environment, version } = await pinRun(tx, viewer, set, input);
    // A token runs only what its own environment froze (issue 9): matching
    // values are not enough, the freeze is the environment's say-so.
    if (viewer.kind === 'service') {
      const frozenHere = await tx.parameterSetFreeze.findUnique({
        where: { parameterSetHash_environmentId: { parameterSetHash: set.hash, environmentId: environment.id } },
        select: { environmentId: true },
      });
      if (!frozenHere) {
        throw forbidden(`${environment.name} never froze parameter set ${set.hash}: a service token runs only the sets its own environment froze.`);
      }
    }
    const snapshot = await catalog.load(tx);
    // Deprecated since the freeze (#673) or smuggled in through the metadata: refused like a save.
    const violations = [...metadataViolations(snapshot, metadata), ...deprecatedInSet(snapshot, set.values as Record<string, string>, readFactors(set.factors))];
    if (violations.length) throw violationsError(violations);
    const created = await tx.run.create({
      data: {
        ...(input.id ? { id: input.id } : {}),
        ...(input.status ? { status: input.status } : {}),
        ...(input.startedAt ? { startedAt: input.startedAt } : {}),
        kind: input.kind,
        name,
        parameterSetHash: set.hash,
        environmentId: environment.id,
        configVersion: version,
        metadata: metadata as Prisma.InputJsonObject,
        createdById: viewer.kind === 'user' ? viewer.userId : null,
        startedBy: actorName(viewer),
        startedByTokenId: viewer.kind === 'service' ? viewer.tokenId : null,
        rerunOfId: input.rerunOfId ?? null,
      },
    });
    await appendAudit(tx, [{
      action: 'run_registered',
      actor: actorName(viewer),
      environmentId: environment.id,
      configVersion: version,
      subjectId: created.id,
      details: {
        kind: created.kind, name: created.name, parameterSetHash: set.hash, status: created.status,
        ...(input.rerunOfId ? { rerunOf: input.rerunOfId } : {}),
      },
    }]);
    return created;
  }

  function logRegistered(run: Run, viewer: Viewer): void {
    logger.info({
      event: 'run_registered', run: run.id, kind: run.kind, parameter_set: run.parameterSetHash,
      config_version: run.configVersion, rerun_of: run.rerunOfId, registered_by: actorName(viewer),
    }, 'run registered');
  }

  return {
    async createRun(viewer: Viewer, input: CreateRunInput): Promise<Run> {
      assertMayRegister(viewer);
      const run = await inTransaction(prisma, (tx) => register(tx, viewer, input));
      logRegistered(run, viewer);
      return run;
    },

    /**
     * A registration inside the caller's transaction (a session start);
     * `committed()` logs it once that transaction committed.
     */
    async createRunIn(tx: Tx, viewer: Viewer, input: CreateRunInput & RegisterOptions): Promise<{ run: Run; committed(): void }> {
      assertMayRegister(viewer);
      const run = await register(tx, viewer, input);
      return { run, committed: () => logRegistered(run, viewer) };
    },

    /**
     * "Re-run identical": a new run of the same kind on the same set, in the
     * same environment version, with the same metadata (editors and above;
     * audited as a registration naming the original). A backtest's re-run is
     * queued PENDING and the product runs it (onBacktestQueued).
     */
    async rerun(viewer: Viewer, input: RerunInput): Promise<Run> {
      requireRole(viewer, 'EDITOR', 're-run a run');
      if (!isUuid(input.id)) throw notFound('Run', input.id);
      const run = await inTransaction(prisma, async (tx) => {
        const original = await tx.run.findUnique({ where: { id: input.id }, include: { environment: { select: { name: true } } } });
        if (!original) throw notFound('Run', input.id);
        if (original.legacy || !original.environment || original.configVersion === null) {
          throw badRequest(`Run ${original.name} is a legacy run with no environment version: start a new run on its parameter set instead.`, { field: 'run' });
        }
        return register(tx, viewer, {
          kind: original.kind,
          name: input.name ?? original.name,
          parameterSetHash: original.parameterSetHash,
          metadata: original.metadata,
          environment: original.environment.name,
          configVersion: original.configVersion,
          rerunOfId: original.id,
        });
      });
      logRegistered(run, viewer);
      if (run.kind === 'BACKTEST') onBacktestQueued?.();
      return run;
    },

    /**
     * Moves a run forward: PENDING → RUNNING → a terminal status (or straight
     * to one), recording the outcome with the terminal status. A terminal
     * status is final (CONFLICT), so a late or duplicate report from an
     * orchestrator cannot rewrite an outcome.
     */
    async updateRunStatus(viewer: Viewer, input: UpdateRunStatusInput): Promise<Run> {
      assertMayRegister(viewer);
      if (!isUuid(input.id)) throw notFound('Run', input.id);
      const terminal = terminalRunStatuses.includes(input.status);
      if (!terminal && (input.endedAt || input.outcomeMessage || input.outputDigest)) {
        throw badRequest(`A ${input.status} run has not ended: endedAt, outcomeMessage and outputDigest come with its terminal status.`, { field: 'status' });
      }
      const outcomeMessage = input.outcomeMessage?.trim() || null;
      if (outcomeMessage && outcomeMessage.length > 2000) throw badRequest('Keep the outcome message under 2,000 characters.', { field: 'outcomeMessage' });
      if (input.outputDigest && !outputDigestPattern.test(input.outputDigest)) {
        throw badRequest('outputDigest is <algorithm>:<hex digest>, e.g. sha256:9f86d0…', { field: 'outputDigest' });
      }
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
        if (input.expectedStatus && run.status !== input.expectedStatus) {
          throw new AppError('CONFLICT', `Run ${run.name} is ${run.status}, not ${input.expectedStatus}: someone else moved it first.`, { status: run.status });
        }
        if (run.status === 'RUNNING' && input.status === 'PENDING') {
          throw new AppError('CONFLICT', `Run ${run.name} is already running; it cannot go back to PENDING.`, { status: run.status });
        }
        const endedAt = terminal ? (input.endedAt ?? new Date()) : null;
        if (endedAt && endedAt < run.startedAt) throw badRequest('endedAt is before the run started.', { field: 'endedAt' });
        const next = await tx.run.update({
          where: { id: run.id },
          data: { status: input.status, endedAt, outcomeMessage, outputDigest: input.outputDigest ?? null },
        });
        if (next.status !== run.status) {
          await appendAudit(tx, [{
            action: 'run_status_changed',
            actor: actorName(viewer),
            environmentId: run.environmentId,
            configVersion: run.configVersion,
            subjectId: run.id,
            reason: outcomeMessage,
            details: { from: run.status, to: next.status, ...(next.outputDigest ? { outputDigest: next.outputDigest } : {}) },
          }]);
        }
        return next;
      });
      logger.info({ event: 'run_status_changed', run: updated.id, status: updated.status, changed_by: actorName(viewer) }, 'run status changed');
      return updated;
    },
  };
}

export type RunService = ReturnType<typeof createRunService>;
