import type { ChangeRequest, ConfigVersion, VersionKind } from '../../generated/prisma/client.ts';
import type { Tx } from '../../db/transaction.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ConfigValidator, Violation } from '../../../contract/validation/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { assertExpectedVersion } from './assert-expected-version.ts';
import { findEnvironment } from './find-environment.ts';
import { lockEnvironment, type LockedEnvironment } from './lock-environment.ts';
import { readSnapshot } from './read-snapshot.ts';
import type { ValueMap } from './value-map.ts';
import { violationsError } from './violations-error.ts';

export interface WriteRequest {
  environment: string;
  expectedVersion: number;
  /** name → new value (strings, ADR-59). Values equal to the current ones are dropped. */
  changes: ValueMap;
  reason: string;
  kind: VersionKind;
  authorId: string;
  actor: string;
  restoredFrom?: number;
  promotedFrom?: string;
  /** What to do when a change touches a critical parameter and nobody approved it yet. */
  onCritical: 'fail' | 'submit';
  /** Set by the approval path: the second person has signed. */
  approval?: { approverId: string; approverName: string; changeRequestId: string; comment: string };
}

export type WriteOutcome =
  | { status: 'APPLIED'; version: ConfigVersion; environment: LockedEnvironment; changedKeys: string[] }
  | { status: 'PENDING_APPROVAL'; changeRequest: ChangeRequest; environment: LockedEnvironment };

/**
 * The single write path. Edits, restores, promotions and approvals all come
 * through here, inside the caller's transaction: lock the environment row,
 * check the expected version, the freeze windows, every value and every rule,
 * route critical changes to approval, then write version N+1 with its diff
 * and its audit rows. The insert trigger publishes NOTIFY, so nothing is
 * published unless this transaction commits.
 */
/** Refuses a write while the environment is frozen; runs under the environment lock. */
export type FreezeGuard = (tx: Tx, environment: { id: string; name: string }) => Promise<void>;

export interface ConfigWriterDeps {
  catalog: CatalogCache;
  validator: ConfigValidator;
  /**
   * The freeze slice's check, injected by the composition root: freeze windows
   * lock the environment through this slice, so importing the freeze face
   * here would make the two slices import each other.
   */
  assertNotFrozen: FreezeGuard;
}

export function createConfigWriter({ catalog, validator, assertNotFrozen }: ConfigWriterDeps) {
  /** Checks every value and rule (throws the violations); returns the critical names among the changed ones. */
  async function validateAndFindCritical(tx: Tx, current: ValueMap, changes: ValueMap, changedKeys: string[]): Promise<string[]> {
    const snapshot = await catalog.load(tx);
    const rules = await tx.rule.findMany({ where: { enabled: true }, orderBy: { name: 'asc' } });
    const violations = validator.validateChange({ catalog: snapshot.shapes, rules, current, changes });
    if (violations.length) throw violationsError(violations);
    return changedKeys.filter((name) => snapshot.entries.get(name)?.critical);
  }

  return {
    async write(tx: Tx, request: WriteRequest): Promise<WriteOutcome> {
      const environment = await lockEnvironment(tx, request.environment);
      // The check that counts: under the lock, so no other save can slip in between.
      assertExpectedVersion(environment, request.expectedVersion);
      await assertNotFrozen(tx, environment);

      const current = await readSnapshot(tx, environment);
      const changes = Object.fromEntries(Object.entries(request.changes).filter(([name, value]) => current[name] !== value));
      const changedKeys = Object.keys(changes).sort();
      if (changedKeys.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'Nothing to save: every value is already the active one.', { violations: [] });
      }
      const critical = await validateAndFindCritical(tx, current, changes, changedKeys);
      if (critical.length && !request.approval) {
        if (request.onCritical === 'fail') {
          throw new AppError(
            'APPROVAL_REQUIRED',
            `${critical.join(', ')} ${critical.length === 1 ? 'is' : 'are'} critical: submit the change for approval by a second person.`,
            { parameters: critical },
          );
        }
        const changeRequest = await tx.changeRequest.create({
          data: {
            environmentId: environment.id,
            kind: request.kind,
            baseVersion: environment.activeVersion,
            reason: request.reason,
            authorId: request.authorId,
            restoredFrom: request.restoredFrom,
            promotedFrom: request.promotedFrom,
            items: { create: changedKeys.map((name) => ({ parameterName: name, value: changes[name]! })) },
          },
        });
        await appendAudit(tx, [{
          action: 'change_request_submitted',
          actor: request.actor,
          environmentId: environment.id,
          subjectId: changeRequest.id,
          reason: request.reason,
          details: { kind: request.kind, parameters: changedKeys, critical, baseVersion: environment.activeVersion },
        }]);
        return { status: 'PENDING_APPROVAL', changeRequest, environment };
      }

      const nextVersion = environment.activeVersion + 1;
      const version = await tx.configVersion.create({
        data: {
          environmentId: environment.id,
          version: nextVersion,
          kind: request.kind,
          values: { ...current, ...changes },
          reason: request.reason,
          authorId: request.authorId,
          approverId: request.approval?.approverId,
          changeRequestId: request.approval?.changeRequestId,
          restoredFrom: request.restoredFrom,
          promotedFrom: request.promotedFrom,
        },
      });
      await tx.configChange.createMany({
        data: changedKeys.map((name) => ({ versionId: version.id, parameterName: name, before: current[name] ?? null, after: changes[name]! })),
      });
      await appendAudit(tx, changedKeys.map((name) => ({
        action: request.approval ? 'config_change_approved' as const : 'config_change_saved' as const,
        actor: request.actor,
        environmentId: environment.id,
        parameterName: name,
        configVersion: nextVersion,
        subjectId: request.approval?.changeRequestId ?? null,
        reason: request.reason,
        details: {
          kind: request.kind,
          before: current[name] ?? null,
          after: changes[name]!,
          ...(request.approval ? { approvedBy: request.approval.approverName, comment: request.approval.comment } : {}),
          ...(request.restoredFrom !== undefined ? { restoredFrom: request.restoredFrom } : {}),
          ...(request.promotedFrom !== undefined ? { promotedFrom: request.promotedFrom } : {}),
        },
      })));
      return { status: 'APPLIED', version, environment: { ...environment, activeVersion: nextVersion }, changedKeys };
    },

    /** Validation only (the approval queue's rule checks, the console's preview). */
    async check(tx: Tx, environmentName: string, changes: ValueMap): Promise<Violation[]> {
      const environment = await findEnvironment(tx, environmentName);
      const current = await readSnapshot(tx, environment);
      const snapshot = await catalog.load(tx);
      const rules = await tx.rule.findMany({ where: { enabled: true } });
      return validator.validateChange({ catalog: snapshot.shapes, rules, current, changes });
    },
  };
}

export type ConfigWriter = ReturnType<typeof createConfigWriter>;
