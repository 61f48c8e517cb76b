import canonicalize from 'canonicalize';
import type { Prisma } from '../../generated/prisma/client.ts';
import type { Tx } from '../../db/transaction.ts';
import { appendAudit, type AuditRow } from '../audit/index.ts';
import type { CatalogSnapshot } from '../catalog/index.ts';
import type { ValueMap } from '../configuration/index.ts';
import { frozenDefinitions, parameterSetHash } from '../parameter-sets/index.ts';
import type { LegacyImportPlan, PlannedRun } from './plan-legacy-import.ts';
import { LegacyImportRefused } from './plan-legacy-import.ts';

// Writes a plan inside the caller's transaction (the import's one): legacy
// authors as actors that cannot sign in, each history row and the current
// row as IMPORT versions at their own time, each run as a legacy run on a
// parameter set frozen from its own snapshot, and a legacy_imports row for
// every legacy row, which makes a second import skip it. Nothing here is
// validated against today's catalog: history is kept as it was (restores and
// promotions validate, config-service.ts).

const commitPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export interface ApplyContext {
  environmentId: string;
  /** The environment's values before the first imported version (the diff of that version). */
  valuesBefore: ValueMap;
  catalog: CatalogSnapshot;
  importedBy: string;
}

export interface AppliedCounts {
  versions: number;
  runs: number;
  parameterSets: number;
  actors: number;
}

/** One user per legacy author: disabled, no password, marked legacy for good (a database constraint). */
async function ensureActors(tx: Tx, plan: LegacyImportPlan): Promise<{ ids: Map<string, string>; created: number }> {
  const names = new Map<string, string>();
  for (const v of plan.versions) names.set(v.actor, v.authorName);
  for (const r of plan.runs) names.set(r.actor, r.authorName);
  const ids = new Map<string, string>();
  if (names.size === 0) return { ids, created: 0 };
  const existing = await tx.user.findMany({ where: { username: { in: [...names.keys()] } }, select: { id: true, username: true, legacyActor: true } });
  for (const user of existing) {
    if (!user.legacyActor) throw new LegacyImportRefused(`${user.username} is a platform account, not a legacy actor: rename it before importing.`);
    ids.set(user.username, user.id);
  }
  const missing = [...names].filter(([username]) => !ids.has(username));
  for (const [username, displayName] of missing) {
    const user = await tx.user.create({
      data: { username, displayName: displayName.slice(0, 200), passwordHash: '', role: 'VIEWER', disabled: true, legacyActor: true },
      select: { id: true },
    });
    ids.set(username, user.id);
  }
  return { ids, created: missing.length };
}

function codeVersionOf(metadata: Record<string, unknown>): Record<string, unknown> {
  for (const key of ['git_commit', 'git_sha', 'commit', 'code_version']) {
    const value = metadata[key];
    if (typeof value === 'string' && commitPattern.test(value)) return { commit: value, packages: {} };
  }
  // The legacy tool recorded no commit: the set says so rather than invent one.
  return {};
}

async function freezeLegacySet(tx: Tx, context: ApplyContext, run: PlannedRun): Promise<{ hash: string; created: boolean }> {
  const names = Object.keys(run.values).sort();
  // The catalog's meaning of each value today; no rules or validators: a legacy set was never checked against them.
  const { catalog } = frozenDefinitions(context.catalog, [], names);
  const codeVersion = codeVersionOf(run.metadata);
  const hash = parameterSetHash({ values: run.values, catalog, factors: {}, codeVersion, rules: null, validators: null });
  const inserted = await tx.$queryRaw<{ hash: string }[]>`
    INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, factors, code_version, rules, validators, created_by_id)
    VALUES (${hash}, ${context.environmentId}::uuid, NULL, ${context.catalog.revision}, ${JSON.stringify(run.values)}::jsonb,
            ${JSON.stringify(catalog)}::jsonb, '{}'::jsonb, ${JSON.stringify(codeVersion)}::jsonb, NULL, NULL, NULL)
    ON CONFLICT (hash) DO NOTHING
    RETURNING hash`;
  // A set that existed already has its entries (one frozen by the import, or by the service, which writes them with it).
  if (inserted.length === 1) {
    await tx.parameterSetEntry.createMany({
      data: names.map((name) => ({ parameterSetHash: hash, parameterName: name, value: run.values[name]! })),
      skipDuplicates: true,
    });
  }
  await tx.parameterSetFreeze.createMany({ data: [{ parameterSetHash: hash, environmentId: context.environmentId }], skipDuplicates: true });
  return { hash, created: inserted.length === 1 };
}

export async function applyLegacyImport(tx: Tx, plan: LegacyImportPlan, context: ApplyContext): Promise<AppliedCounts> {
  const { environmentId, importedBy } = context;
  const actors = await ensureActors(tx, plan);

  // Versions one at a time (the sequence trigger takes one per statement);
  // their diffs, records and audit rows in a few statements at the end.
  const changes: Prisma.ConfigChangeCreateManyInput[] = [];
  const records: Prisma.LegacyImportCreateManyInput[] = [];
  const audit: AuditRow[] = [];
  let previous = context.valuesBefore;
  for (const v of plan.versions) {
    const created = await tx.configVersion.create({
      data: {
        environmentId, version: v.version, kind: 'IMPORT', values: v.values, reason: v.reason,
        authorId: actors.ids.get(v.actor)!, createdAt: v.at,
      },
      select: { id: true },
    });
    const changed = [...new Set([...Object.keys(previous), ...Object.keys(v.values)])].filter((k) => previous[k] !== v.values[k]).sort();
    for (const name of changed) changes.push({ versionId: created.id, parameterName: name, before: previous[name] ?? null, after: v.values[name] ?? null });
    records.push({ environmentId, sourceTable: v.table, legacyId: v.legacyId, configVersion: v.version, importedBy });
    audit.push({
      action: 'config_version_imported', at: v.at, actor: v.actor, environmentId, configVersion: v.version, reason: v.reason,
      subjectId: `${v.table}#${v.legacyId}`,
      details: { legacyRow: `${v.table}#${v.legacyId}`, legacyReason: v.legacyReason, legacyDiff: (v.legacyDiff ?? null) as Prisma.InputJsonValue, changedKeys: changed.length, importedBy } as Prisma.InputJsonObject,
    });
    previous = v.values;
  }
  if (plan.currentAlias) {
    records.push({ environmentId, sourceTable: 'ftf_config', legacyId: plan.currentAlias.legacyId, configVersion: plan.currentAlias.version, importedBy });
  }

  let parameterSets = 0;
  for (const run of plan.runs) {
    const set = await freezeLegacySet(tx, context, run);
    if (set.created) parameterSets += 1;
    const created = await tx.run.create({
      data: {
        kind: 'EXPERIMENT', name: run.name.slice(0, 200), status: run.status, parameterSetHash: set.hash, environmentId, configVersion: null, legacy: true,
        metadata: { legacy: { table: 'finetune_runs', runId: run.legacyId, status: run.legacyStatus, row: run.metadata } } as Prisma.InputJsonObject,
        createdById: actors.ids.get(run.actor)!, startedBy: run.actor, startedAt: run.startedAt, endedAt: run.endedAt, outcomeMessage: run.outcomeMessage,
      },
      select: { id: true },
    });
    records.push({ environmentId, sourceTable: 'finetune_runs', legacyId: run.legacyId, runId: created.id, importedBy });
    audit.push({
      action: 'legacy_run_imported', at: run.startedAt, actor: run.actor, environmentId, subjectId: created.id,
      details: { legacyRow: `finetune_runs#${run.legacyId}`, parameterSet: set.hash, status: run.status, legacyStatus: run.legacyStatus, importedBy },
    });
  }
  for (let i = 0; i < changes.length; i += 5_000) await tx.configChange.createMany({ data: changes.slice(i, i + 5_000) });
  if (records.length) await tx.legacyImport.createMany({ data: records });
  await appendAudit(tx, audit);
  return { versions: plan.versions.length, runs: plan.runs.length, parameterSets, actors: actors.created };
}

/**
 * The superset check again, on what the transaction wrote: every planned
 * version and run read back holds exactly its legacy values. A difference
 * throws, and the transaction writes nothing.
 */
export async function verifyLegacyImport(tx: Tx, plan: LegacyImportPlan, environmentId: string): Promise<void> {
  const written = await tx.configVersion.findMany({
    where: { environmentId, version: { in: plan.versions.map((v) => v.version) } },
    select: { version: true, values: true },
  });
  const byVersion = new Map(written.map((w) => [w.version, canonicalize(w.values)]));
  for (const v of plan.versions) {
    if (byVersion.get(v.version) !== canonicalize(v.values)) throw new Error(`superset check failed after writing: version ${v.version} (${v.table}#${v.legacyId}) does not hold its legacy values`);
  }
  const runs = await tx.legacyImport.findMany({
    where: { environmentId, sourceTable: 'finetune_runs', legacyId: { in: plan.runs.map((r) => r.legacyId) } },
    select: { legacyId: true, run: { select: { parameterSet: { select: { values: true } } } } },
  });
  const byRun = new Map(runs.map((r) => [r.legacyId, canonicalize(r.run?.parameterSet.values ?? null)]));
  for (const r of plan.runs) {
    if (byRun.get(r.legacyId) !== canonicalize(r.values)) throw new Error(`superset check failed after writing: finetune_runs#${r.legacyId} does not hold its legacy snapshot`);
  }
}
