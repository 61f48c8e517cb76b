import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';
import { inTransaction } from '../../db/transaction.ts';
import { AppError, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { Metrics } from '../../metrics/create-metrics.ts';
import { assertExpectedVersion } from './assert-expected-version.ts';
import { assertReason } from '../audit/index.ts';
import type { ConfigWriter, WriteOutcome, WriteRequest } from './config-writer.ts';
import { findEnvironment, type EnvironmentState } from './find-environment.ts';
import { readSnapshot } from './read-snapshot.ts';
import type { ValueMap } from './value-map.ts';

interface Common {
  environment: string;
  expectedVersion: number;
  reason: string;
  submitForApproval?: boolean | null;
}

/**
 * The `environment` label of a write whose environment does not exist. Labels
 * come only from known values: every name a caller makes up would otherwise
 * become a series of its own, kept for the life of the process.
 */
export const unknownEnvironmentLabel = 'unknown';

function requireOperator(viewer: Viewer): Extract<Viewer, { kind: 'user' }> {
  if (viewer.kind !== 'user') throw forbidden('Service tokens can read configuration but not change it.');
  return viewer;
}

/**
 * Edits, restores and promotions: three ways to build a change map, one write
 * path (ConfigWriter) in one transaction, then logs and metrics once the
 * transaction has committed.
 */
export function createConfigService({ prisma, writer, logger, metrics }: {
  prisma: PrismaClient;
  writer: ConfigWriter;
  logger: Logger;
  metrics: Metrics;
}) {
  /** `target`: the target environment when the caller has just read it (saves reading it again). */
  async function run(request: Omit<WriteRequest, 'onCritical'> & { submitForApproval?: boolean | null }, target?: EnvironmentState): Promise<WriteOutcome> {
    const started = performance.now();
    let environment = target;
    try {
      const write: WriteRequest = { ...request, onCritical: request.submitForApproval ? 'submit' : 'fail' };
      // The one-statement save when it applies at once (it checks the expected
      // version before and under the lock); anything else in a transaction.
      const outcome = await writer.save(write) ?? await (async () => {
        environment ??= await findEnvironment(prisma, request.environment);
        // Cheap pre-check outside the lock: a stale writer fails fast instead of
        // queueing behind the environment row lock for nothing. The writer checks
        // again under the lock; that check is the one that guarantees N+1.
        assertExpectedVersion(environment, request.expectedVersion);
        return inTransaction(prisma, (tx) => writer.write(tx, write));
      })();
      environment ??= outcome.environment;
      metrics.configWrites.inc({ environment: environment.name, kind: request.kind, outcome: outcome.status });
      metrics.configWriteDuration.observe((performance.now() - started) / 1000);
      if (outcome.status === 'APPLIED') {
        if (request.kind === 'RESTORE') metrics.rollbacks.inc({ environment: environment.name });
        logger.info({
          event: 'config_change_saved',
          env: outcome.environment.name,
          config_version: outcome.version.version,
          changed_by: request.actor,
          kind: request.kind,
          parameters: outcome.changedKeys,
          change_reason: request.reason,
        }, 'configuration saved');
      } else {
        logger.info({
          event: 'change_request_submitted',
          env: outcome.environment.name,
          change_request: outcome.changeRequest.id,
          changed_by: request.actor,
        }, 'change submitted for approval');
      }
      return outcome;
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'FAULT';
      // An environment the writer has met exists: its name is a known label.
      const label = environment?.name ?? (writer.knowsEnvironment(request.environment) ? request.environment : unknownEnvironmentLabel);
      metrics.configWrites.inc({ environment: label, kind: request.kind, outcome: code });
      throw error;
    }
  }

  return {
    async update(viewer: Viewer, input: Common & { changes: { name: string; value: string }[] }): Promise<WriteOutcome> {
      const user = requireOperator(viewer);
      assertReason(input.reason);
      if (input.changes.length === 0) throw new AppError('VALIDATION_FAILED', 'Add at least one change.', { violations: [] });
      const changes: ValueMap = {};
      for (const { name, value } of input.changes) {
        if (name in changes) {
          throw new AppError('VALIDATION_FAILED', `${name} appears twice in one change.`, {
            violations: [{ code: 'INVALID_TYPE', parameter: name, message: `${name} appears twice in one change.` }],
          });
        }
        changes[name] = value;
      }
      return run({
        environment: input.environment, expectedVersion: input.expectedVersion, changes, reason: input.reason.trim(),
        kind: 'EDIT', authorId: user.userId, actor: user.username, submitForApproval: input.submitForApproval,
      });
    },

    /** Restore is a write of the old values: validated against today's catalog (a deprecated value stays refused). */
    async restore(viewer: Viewer, input: Common & { version: number }): Promise<WriteOutcome> {
      const user = requireOperator(viewer);
      assertReason(input.reason);
      const environment = await findEnvironment(prisma, input.environment);
      if (input.version < 1 || input.version > environment.activeVersion) throw notFound(`Version of ${input.environment}`, String(input.version));
      const target = await readSnapshot(prisma, environment, input.version);
      return run({
        environment: input.environment, expectedVersion: input.expectedVersion, changes: target, reason: input.reason.trim(),
        kind: 'RESTORE', restoredFrom: input.version, authorId: user.userId, actor: user.username, submitForApproval: input.submitForApproval,
      }, environment);
    },

    /** Copies chosen values of one environment's active version into another. */
    async promote(viewer: Viewer, input: Omit<Common, 'environment'> & { from: string; to: string; names: string[] }): Promise<WriteOutcome> {
      const user = requireOperator(viewer);
      assertReason(input.reason);
      if (input.from === input.to) throw new AppError('VALIDATION_FAILED', 'Promote between two different environments.', { violations: [] });
      if (input.names.length === 0) throw new AppError('VALIDATION_FAILED', 'Choose at least one parameter to promote.', { violations: [] });
      const source = await findEnvironment(prisma, input.from);
      const values = await readSnapshot(prisma, source);
      const missing = input.names.filter((name) => !(name in values));
      if (missing.length) {
        throw new AppError('VALIDATION_FAILED', `${input.from} has no value for ${missing.join(', ')}.`, {
          violations: missing.map((name) => ({ code: 'UNKNOWN_PARAMETER', parameter: name, message: `${input.from} has no value for ${name}.` })),
        });
      }
      const changes = Object.fromEntries(input.names.map((name) => [name, values[name]!]));
      return run({
        environment: input.to, expectedVersion: input.expectedVersion, changes, reason: input.reason.trim(),
        kind: 'PROMOTION', promotedFrom: `${source.name}@${source.activeVersion}`, authorId: user.userId, actor: user.username,
        submitForApproval: input.submitForApproval,
      });
    },
  };
}

export type ConfigService = ReturnType<typeof createConfigService>;
