import { Prisma, type PrismaClient, type Run, type RunEpoch } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import type { Viewer } from '../../auth/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden } from '../../errors/app-error.ts';
import type { CodeVersionInput } from './code-version.ts';
import type { ParameterSetService } from './parameter-set-service.ts';
import type { RunEpochService } from './run-epoch-service.ts';
import type { RunService } from './run-service.ts';

export interface StartSessionInput {
  /** A uuid the agent chose: a retried start (its answer lost) finds the session it made. */
  id: string;
  kind: 'PAPER' | 'LIVE';
  name: string;
  environment: string;
  /** The version the session starts on: frozen into its set, its run pinned to it, its first epoch. */
  configVersion: number;
  codeVersion: CodeVersionInput | unknown;
  /** When the session started trading under that version, by the agent's clock (its later epochs use the same clock). */
  startedAt: Date;
  workerId?: string | null;
  metadata?: unknown;
}

export interface StartedSession {
  run: Run;
  parameterSetHash: string;
  epoch: RunEpoch;
  /** False when this id's session already existed (a retry). */
  created: boolean;
}

// The agent's clock and ours disagree a little (the same bound as an epoch's appliedAt).
const maxClockSkewMs = 60_000;

/**
 * A paper or live session binds itself when its agent becomes ready: one
 * request, one transaction — freeze the version it starts on (validated like
 * a save), register the session RUNNING, pinned to that version, and record
 * its first epoch. Either all of it is there or none. Idempotent by the id the
 * agent chose, so the agent retries a start whose answer it never got without
 * starting a second session.
 */
export function createSessionService({ prisma, parameterSets, runs, runEpochs }: {
  prisma: PrismaClient;
  parameterSets: Pick<ParameterSetService, 'createIn'>;
  runs: Pick<RunService, 'createRunIn'>;
  runEpochs: Pick<RunEpochService, 'recordEpochIn'>;
}) {
  async function existing(viewer: Extract<Viewer, { kind: 'service' }>, input: StartSessionInput): Promise<StartedSession | null> {
    const run = await prisma.run.findUnique({ where: { id: input.id }, include: { epochs: { orderBy: [{ appliedAt: 'asc' }, { id: 'asc' }], take: 1 } } });
    if (!run) return null;
    const first = run.epochs[0];
    if (run.startedByTokenId !== viewer.tokenId || run.kind !== input.kind || !first) {
      throw new AppError('CONFLICT', `Run ${input.id} exists and is not this agent's ${input.kind.toLowerCase()} session: start the session with a new id.`, { status: run.status });
    }
    const { epochs: _epochs, ...bare } = run;
    return { run: bare, parameterSetHash: run.parameterSetHash, epoch: first, created: false };
  }

  return {
    async startSession(viewer: Viewer, input: StartSessionInput): Promise<StartedSession> {
      if (viewer.kind !== 'service') throw forbidden('A session is started by its runtime agent, with its environment\'s service token.');
      if (!isUuid(input.id)) throw badRequest('id is a uuid the agent chooses for its session.', { field: 'id' });
      if (input.kind !== 'PAPER' && input.kind !== 'LIVE') throw badRequest('Only paper and live sessions start themselves.', { field: 'kind' });
      if (input.startedAt.getTime() > Date.now() + maxClockSkewMs) throw badRequest('startedAt is in the future.', { field: 'startedAt' });
      const known = await existing(viewer, input);
      if (known) return known;
      try {
        const started = await inTransaction(prisma, async (tx) => {
          const frozen = await parameterSets.createIn(tx, viewer, { environment: input.environment, version: input.configVersion, factors: [], codeVersion: input.codeVersion });
          const hash = frozen.result.parameterSet.hash;
          const registered = await runs.createRunIn(tx, viewer, {
            id: input.id,
            kind: input.kind,
            name: input.name,
            parameterSetHash: hash,
            environment: input.environment,
            configVersion: input.configVersion,
            metadata: input.metadata,
            status: 'RUNNING',
            startedAt: input.startedAt,
          });
          const recorded = await runEpochs.recordEpochIn(tx, viewer, {
            runId: registered.run.id, configVersion: input.configVersion, parameterSetHash: hash, appliedAt: input.startedAt, workerId: input.workerId,
          });
          return { run: registered.run, parameterSetHash: hash, epoch: recorded.epoch, committed: [frozen.committed, registered.committed, recorded.committed] };
        });
        for (const log of started.committed) log();
        return { run: started.run, parameterSetHash: started.parameterSetHash, epoch: started.epoch, created: true };
      } catch (error) {
        // Two tries of one start at once: the primary key decides, the loser answers the winner's session.
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          const raced = await existing(viewer, input);
          if (raced) return raced;
        }
        throw error;
      }
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
