import type { ChangeRequest, ConfigVersion, PrismaClient, VersionKind } from '../../generated/prisma/client.ts';
import { sqlInTransaction, type SqlClient } from '../../db/sql-client.ts';
import type { Db, Tx } from '../../db/transaction.ts';
import { AppError, notFound, versionConflict } from '../../errors/app-error.ts';
import type { ConfigValidator, RuleShape, Violation } from '../../../contract/validation/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogCache, CatalogSnapshot } from '../catalog/index.ts';
import { assertExpectedVersion } from './assert-expected-version.ts';
import { createEnabledRulesCache, readEnabledRules } from './enabled-rules.ts';
import type { EnvironmentState } from './find-environment.ts';
import { findEnvironment } from './find-environment.ts';
import { lockEnvironment, type LockedEnvironment } from './lock-environment.ts';
import { readSnapshot } from './read-snapshot.ts';
import { saveVersion, type SaveAnswer, type VersionPlan } from './save-version.ts';
import { createSnapshotCache, type SnapshotCache } from './snapshot-cache.ts';
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

/** Refuses a write while the environment is frozen; runs under the environment lock. */
export type FreezeGuard = (tx: Tx, environment: { id: string; name: string }) => Promise<void>;

export interface ConfigWriterDeps {
  prisma: PrismaClient;
  /** The process's snapshots by (environment, version), shared with the reads (a version never changes). */
  snapshots?: SnapshotCache;
  /** Plain SQL outside any transaction: the one-statement save. */
  sql: SqlClient;
  catalog: CatalogCache;
  validator: ConfigValidator;
  /**
   * The freeze slice's check and its refusal, injected by the composition
   * root: freeze windows lock the environment through this slice, so
   * importing the freeze face here would make the two slices import each other.
   */
  assertNotFrozen: FreezeGuard;
  frozenError: (environment: string, window: { id: string; endsAt: Date; reason: string }) => AppError;
}

/** What a save validated: the values it builds on, and the catalog and rules it checked them against. */
interface Basis {
  environment: EnvironmentState;
  current: Readonly<ValueMap>;
  catalog: CatalogSnapshot;
  rules: { key: string; rules: readonly RuleShape[] };
}

/**
 * The single write path. Edits, restores, promotions and approvals all come
 * through here: check the expected version, the freeze windows, every value
 * and every rule, route critical changes to approval, then write version N+1
 * with its diff and its audit rows (saveVersion: one statement, under the
 * environment row lock). The insert trigger publishes NOTIFY, so nothing is
 * published unless the write commits.
 *
 * Two ways in. `save` is the common case, a change that applies at once: it
 * validates against what this process holds in memory (the snapshot of the
 * expected version, the catalog, the enabled rules) and sends the whole
 * durable part as one statement, which refuses it if any of those moved.
 * `write` runs inside the caller's transaction, reading everything under the
 * lock first: approvals, submissions for approval, and every save `save`
 * hands back (a refusal to word, a critical change) go through it, so each
 * refusal is decided, and worded, in one place.
 */
export function createConfigWriter({ prisma, sql, catalog, validator, assertNotFrozen, frozenError, snapshots = createSnapshotCache() }: ConfigWriterDeps) {
  const enabledRules = createEnabledRulesCache();
  const environmentIds = new Map<string, string>();

  function changesOf(current: Readonly<ValueMap>, request: WriteRequest): { changes: ValueMap; changedKeys: string[] } {
    const changes = Object.fromEntries(Object.entries(request.changes).filter(([name, value]) => current[name] !== value));
    return { changes, changedKeys: Object.keys(changes).sort() };
  }

  /** `next`: the new version's values when the caller has built them (the validator then remembers their typed snapshot for the save after). */
  function violationsOf(basis: Basis, changes: ValueMap, next?: ValueMap): Violation[] {
    return validator.validateChange({ catalog: basis.catalog.shapes, rules: basis.rules.rules, current: basis.current, changes, next });
  }

  function plan(basis: Basis, request: WriteRequest, changes: ValueMap, changedKeys: string[], values: ValueMap = { ...basis.current, ...changes }): VersionPlan {
    const { current, environment } = basis;
    return {
      environment,
      expectedVersion: environment.activeVersion,
      catalogRevision: basis.catalog.revision,
      rulesKey: basis.rules.key,
      kind: request.kind,
      reason: request.reason,
      authorId: request.authorId,
      approverId: request.approval?.approverId,
      changeRequestId: request.approval?.changeRequestId,
      restoredFrom: request.restoredFrom,
      promotedFrom: request.promotedFrom,
      values,
      changes: changedKeys.map((name) => ({ name, before: current[name] ?? null, after: changes[name]! })),
      audit: changedKeys.map((name) => ({
        action: request.approval ? 'config_change_approved' : 'config_change_saved',
        actor: request.actor,
        parameterName: name,
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
      })),
    };
  }

  /**
   * The outcome of a written version. Once committed (`committed`: the
   * one-statement save) it becomes a known snapshot the next save builds on;
   * one written inside a caller's transaction may still roll back, so it is
   * not remembered.
   */
  function applied(basis: Basis, answer: SaveAnswer & { status: 'APPLIED' }, changedKeys: string[], committed: boolean): WriteOutcome {
    if (committed) snapshots.set(basis.environment.id, answer.version.version, answer.version.values as ValueMap);
    return { status: 'APPLIED', version: answer.version, environment: { ...basis.environment, activeVersion: answer.version.version }, changedKeys };
  }

  /** The snapshot of a version, from memory or read once (versions never change). */
  async function snapshotOf(db: Db, environment: EnvironmentState): Promise<Readonly<ValueMap>> {
    return snapshots.get(environment.id, environment.activeVersion)
      ?? snapshots.set(environment.id, environment.activeVersion, await readSnapshot(db, environment));
  }

  /**
   * The environment and the snapshot a save expects, in one statement. A
   * stale expected version fails here, before anything is validated.
   */
  async function readSnapshotAndEnvironment(name: string, expectedVersion: number): Promise<{ environment: EnvironmentState; current: Readonly<ValueMap> }> {
    const [row] = await sql.query<{ id: string; active_version: number; values: string | null }>(
      `SELECT e.id::text AS id, e.active_version, v."values"::text AS values
       FROM environments e LEFT JOIN config_versions v ON v.environment_id = e.id AND v.version = $2
       WHERE e.name = $1`,
      [name, expectedVersion],
    );
    if (!row) throw notFound('Environment', name);
    const environment = { id: row.id, name, activeVersion: row.active_version };
    environmentIds.set(name, row.id);
    assertExpectedVersion(environment, expectedVersion);
    const current = row.values === null ? {} : (JSON.parse(row.values) as ValueMap);
    return { environment, current: snapshots.set(row.id, expectedVersion, current) };
  }

  /** What `save` validates against: all from memory when this process has seen the expected version. */
  async function basisInMemory(request: WriteRequest): Promise<Basis> {
    const id = environmentIds.get(request.environment);
    const known = id === undefined ? undefined : snapshots.get(id, request.expectedVersion);
    const { environment, current } = id !== undefined && known
      ? { environment: { id, name: request.environment, activeVersion: request.expectedVersion }, current: known }
      : await readSnapshotAndEnvironment(request.environment, request.expectedVersion);
    const [catalogSnapshot, rules] = await Promise.all([catalog.peek() ?? catalog.load(prisma), enabledRules.load(sql)]);
    return { environment, current, catalog: catalogSnapshot, rules };
  }

  return {
    /** Whether this process has found `name` to be an environment (metric labels come only from known names). */
    knowsEnvironment: (name: string): boolean => environmentIds.has(name),

    /**
     * A change that applies at once, in one statement and (when this process
     * knows the expected version) one round trip. Undefined when it is not
     * that: a refusal to decide under the lock, a critical change, or a
     * catalog or rule change that kept moving under it; the caller then runs
     * `write` in a transaction.
     */
    async save(request: WriteRequest): Promise<WriteOutcome | undefined> {
      if (request.approval) return undefined;
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const basis = await basisInMemory(request);
        const { changes, changedKeys } = changesOf(basis.current, request);
        if (changedKeys.length === 0) return undefined;
        // Built once: validated (and its typed snapshot remembered), written, and then the snapshot the next save builds on.
        const next = { ...basis.current, ...changes };
        if (violationsOf(basis, changes, next).length) return undefined;
        if (changedKeys.some((name) => basis.catalog.entries.get(name)?.critical)) return undefined;
        const answer = await saveVersion(sql, plan(basis, request, changes, changedKeys, next));
        switch (answer.status) {
          case 'APPLIED':
            return applied(basis, answer, changedKeys, true);
          case 'VERSION_CONFLICT':
            throw versionConflict({ environment: request.environment, currentVersion: answer.currentVersion, expectedVersion: request.expectedVersion });
          case 'FROZEN':
            throw frozenError(request.environment, answer);
          case 'NOT_FOUND':
            environmentIds.delete(request.environment);
            throw notFound('Environment', request.environment);
          case 'STALE':
            // Validated against a catalog, rules or environment that moved: read them again.
            environmentIds.delete(request.environment);
            catalog.invalidate();
            enabledRules.invalidate();
        }
      }
      return undefined;
    },

    async write(tx: Tx, request: WriteRequest): Promise<WriteOutcome> {
      const environment = await lockEnvironment(tx, request.environment);
      // The check that counts: under the lock, so no other save can slip in between.
      assertExpectedVersion(environment, request.expectedVersion);
      await assertNotFrozen(tx, environment);

      const current = await snapshotOf(tx, environment);
      const { changes, changedKeys } = changesOf(current, request);
      if (changedKeys.length === 0) {
        throw new AppError('VALIDATION_FAILED', 'Nothing to save: every value is already the active one.', { violations: [] });
      }
      const txSql = sqlInTransaction(tx);
      // Read under the lock: a catalog or rule change waits for it, or has committed.
      const basis: Basis = { environment, current, catalog: await catalog.load(tx), rules: await readEnabledRules(txSql) };
      const violations = violationsOf(basis, changes);
      if (violations.length) throw violationsError(violations);
      const critical = changedKeys.filter((name) => basis.catalog.entries.get(name)?.critical);
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

      const answer = await saveVersion(txSql, plan(basis, request, changes, changedKeys));
      // Under this transaction's lock nothing it read can have moved.
      if (answer.status !== 'APPLIED') throw new Error(`the locked save was refused: ${answer.status}`);
      return applied(basis, answer, changedKeys, false);
    },

    /** Validation only (the approval queue's rule checks, the console's preview). */
    async check(tx: Tx, environmentName: string, changes: ValueMap): Promise<Violation[]> {
      const environment = await findEnvironment(tx, environmentName);
      const current = await snapshotOf(tx, environment);
      const snapshot = await catalog.load(tx);
      const rules = await tx.rule.findMany({ where: { enabled: true } });
      return validator.validateChange({ catalog: snapshot.shapes, rules, current, changes });
    },
  };
}

export type ConfigWriter = ReturnType<typeof createConfigWriter>;
