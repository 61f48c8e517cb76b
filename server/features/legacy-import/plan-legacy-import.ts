import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { RunStatus } from '../../generated/prisma/enums.ts';
import type { ConfigValidator, RuleShape, Violation } from '../../../contract/validation/index.ts';
import type { CatalogSnapshot, CreateCatalogEntryInput } from '../catalog/index.ts';
import type { ValueMap } from '../configuration/index.ts';
import { applyLegacyDiff } from './apply-legacy-diff.ts';
import { legacyActorName } from './legacy-actor-name.ts';
import type { HistoryLine, LegacyImportReport, RefusedValue, RunLine, SupersetMiss, UnknownKey, ValueConversion } from './legacy-import-report.ts';
import type { LegacySnapshot, LegacySource } from './legacy-rows.ts';
import { legacyRunOutcome } from './legacy-run-outcome.ts';
import { catalogNamePattern, proposeCatalogEntry } from './propose-catalog-entry.ts';
import { legacyText, storedValue } from './stored-value.ts';

// Turns what the legacy tables hold into what the import would write, and
// the report about it, without writing anything: the dry run is this plan
// printed, the real import is this plan applied (apply-legacy-import.ts).

export type LegacyTable = 'ftf_config' | 'ftf_config_history' | 'finetune_runs';

export interface PlannedVersion {
  table: 'ftf_config' | 'ftf_config_history';
  legacyId: string;
  version: number;
  values: ValueMap;
  actor: string;
  authorName: string;
  reason: string;
  legacyReason: string | null;
  at: Date;
  legacyDiff: unknown;
}

export interface PlannedRun {
  legacyId: string;
  name: string;
  status: RunStatus;
  legacyStatus: string | null;
  startedAt: Date;
  endedAt: Date;
  outcomeMessage: string | null;
  actor: string;
  authorName: string;
  values: ValueMap;
  metadata: Record<string, unknown>;
}

/** A legacy row already imported into the environment, and what it holds there. */
export interface ImportedRow {
  configVersion: number | null;
  values: ValueMap;
}

export interface PlanInput {
  source: LegacySource;
  catalog: CatalogSnapshot;
  rules: readonly RuleShape[];
  validator: ConfigValidator;
  environment: { name: string; exists: boolean; activeVersion: number };
  /** `${table}#${legacyId}` → what it became. */
  imported: ReadonlyMap<string, ImportedRow>;
  /** The entries to create for unknown keys: none, the proposals (--create-unknown), or an admin's file. */
  createEntries: 'none' | 'proposals' | readonly CreateCatalogEntryInput[];
  /** The ftf_config row to take as the current configuration when there are several. */
  configId?: string;
  now: Date;
}

export interface LegacyImportPlan {
  report: LegacyImportReport;
  versions: PlannedVersion[];
  /** Legacy ids of ftf_config rows that match a version without being a new one: recorded against it. */
  currentAlias: { legacyId: string; version: number; plannedWith: string | null } | null;
  runs: PlannedRun[];
  entries: CreateCatalogEntryInput[];
}

/** The import will not run: nothing was written. Carries the report when there is one. */
export class LegacyImportRefused extends Error {
  constructor(message: string, readonly report?: LegacyImportReport) {
    super(message);
  }
}

const ref = (table: LegacyTable, id: string) => `${table}#${id}`;
const fingerprint = (values: ValueMap) => createHash('sha256').update(canonicalize(values) ?? '').digest('hex').slice(0, 16);

export function planLegacyImport(input: PlanInput): LegacyImportPlan {
  const { source, catalog, rules, validator, environment, imported, now } = input;
  const notes: string[] = [];
  const conversions = new Map<string, ValueConversion>();
  const keySeen = new Map<string, { n: number; values: Set<string> }>();

  // ---- the snapshots, as stored strings
  const stored = (row: string, snapshot: LegacySnapshot): ValueMap => {
    const values: ValueMap = {};
    for (const [key, legacy] of Object.entries(snapshot)) {
      const { value, converted } = storedValue(legacy);
      values[key] = value;
      if (converted) {
        const id = `${key}\u0000${legacyText(legacy)}`;
        const c = conversions.get(id) ?? { parameter: key, legacy: legacyText(legacy), stored: value, rows: [] };
        c.rows.push(row);
        conversions.set(id, c);
      }
      const seen = keySeen.get(key) ?? { n: 0, values: new Set<string>() };
      seen.n += 1;
      seen.values.add(value);
      keySeen.set(key, seen);
    }
    return values;
  };

  let previous: LegacySnapshot = {};
  const historyValues = source.history.map((row) => {
    let snapshot = row.baseEnv;
    if (snapshot === null) {
      snapshot = applyLegacyDiff(previous, row.diff) ?? previous;
      notes.push(`${ref('ftf_config_history', row.id)} has no base_env: ${row.diff !== null ? 'rebuilt from the previous snapshot and its diff' : 'it carries the previous snapshot (its author, reason and time are kept)'}`);
    }
    previous = snapshot;
    return stored(ref('ftf_config_history', row.id), snapshot);
  });

  if (source.config.length > 1 && input.configId === undefined) {
    throw new LegacyImportRefused(`ftf_config has ${source.config.length} rows (${source.config.map((c) => c.id).join(', ')}): name the one to import with --config-id.`);
  }
  const configRow = input.configId === undefined ? source.config[0] : source.config.find((c) => c.id === input.configId);
  if (input.configId !== undefined && !configRow) throw new LegacyImportRefused(`ftf_config has no row with id ${input.configId}.`);
  const currentValues = configRow?.baseEnv ? stored(ref('ftf_config', configRow.id), configRow.baseEnv) : null;
  if (configRow && !configRow.baseEnv) notes.push(`${ref('ftf_config', configRow.id)} has no base_env: the last history row stands as the current configuration`);

  const runValues = source.runs.map((run) => {
    if (!run.baseEnv) notes.push(`${ref('finetune_runs', run.runId)} has no base_env snapshot: its parameter set holds no values`);
    return run.baseEnv ? stored(ref('finetune_runs', run.runId), run.baseEnv) : {};
  });
  const snapshots = historyValues.length + (currentValues ? 1 : 0) + runValues.length;

  // ---- unknown keys and the entries to create
  const fileEntries = Array.isArray(input.createEntries) ? new Map(input.createEntries.map((e) => [e.name, e])) : null;
  const unknownKeys: UnknownKey[] = [];
  const entries: CreateCatalogEntryInput[] = [];
  for (const [name, seen] of [...keySeen].sort(([a], [b]) => a.localeCompare(b))) {
    if (catalog.entries.has(name)) continue;
    const validName = catalogNamePattern.test(name) && name.length <= 100;
    const proposal = validName
      ? proposeCatalogEntry({ name, values: [...seen.values], currentValue: currentValues?.[name], seenIn: seen.n, snapshots }, catalog.entries)
      : null;
    const chosen = fileEntries ? fileEntries.get(name) ?? null : input.createEntries === 'proposals' ? proposal : null;
    if (chosen) entries.push(chosen);
    unknownKeys.push({
      name,
      seenIn: seen.n,
      values: [...seen.values].sort().slice(0, 10),
      proposal,
      problem: validName ? null : 'not a catalog name (CVN_ followed by capitals, digits and underscores, at most 100 characters): it cannot come across under this name',
      willCreate: chosen !== null,
    });
  }
  const creating = new Set(entries.map((e) => e.name));
  const known = (name: string) => catalog.entries.has(name) || creating.has(name);

  // ---- today's checks
  // A value check of an entry without a validator depends on the value only,
  // so its verdict is kept per (name, value): consecutive snapshots differ in
  // a key or two, and each is checked once. Values of entries with a validator
  // (which may read other parameters) and the rules are checked on every snapshot.
  const refusals = new Map<string, RefusedValue>();
  const valueVerdicts = new Map<string, Violation[]>();
  const verdictKey = (name: string, value: string) => `${name}\u0000${value}`;
  const check = (row: string, values: ValueMap): number => {
    const knownValues = Object.fromEntries(Object.entries(values).filter(([name]) => catalog.entries.has(name)));
    const unchecked: ValueMap = {};
    const violations: Violation[] = [];
    for (const [name, value] of Object.entries(knownValues)) {
      const cached = valueVerdicts.get(verdictKey(name, value));
      if (cached) violations.push(...cached);
      else unchecked[name] = value;
    }
    const fresh = validator.validateChange({ catalog: catalog.shapes, rules, current: knownValues, changes: unchecked });
    for (const [name, value] of Object.entries(unchecked)) {
      if (catalog.shapes.get(name)?.validator?.trim()) continue;
      valueVerdicts.set(verdictKey(name, value), fresh.filter((v) => v.parameter === name && v.rule === undefined));
    }
    violations.push(...fresh);
    for (const v of violations) {
      const value = v.parameter !== undefined ? knownValues[v.parameter] ?? null : null;
      const key = `${v.parameter ?? ''}\u0000${v.rule ?? ''}\u0000${value ?? ''}\u0000${v.code}`;
      const r = refusals.get(key) ?? { parameter: v.parameter ?? null, rule: v.rule ?? null, value, code: v.code, reason: v.message, rows: [] };
      r.rows.push(row);
      refusals.set(key, r);
    }
    return violations.length;
  };

  // ---- superset: every legacy key present and every value preserved
  const missing: SupersetMiss[] = [];
  let checkedRows = 0;
  const superset = (row: string, values: ValueMap, importedAs?: ImportedRow) => {
    checkedRows += 1;
    for (const [name, value] of Object.entries(values)) {
      if (importedAs) {
        if (importedAs.values[name] !== value) {
          missing.push({ row, parameter: name, reason: `imported, but the platform holds ${JSON.stringify(importedAs.values[name] ?? null)} instead of ${JSON.stringify(value)}` });
        }
      } else if (!known(name)) {
        const unknown = unknownKeys.find((k) => k.name === name);
        missing.push({
          row, parameter: name,
          reason: unknown?.problem ?? 'unknown to the catalog: add it first (--create-unknown applies the proposed entry, --catalog-entries an edited proposals file)',
        });
      }
    }
  };

  // ---- versions
  let nextVersion = environment.activeVersion + 1;
  const versions: PlannedVersion[] = [];
  const historyLines: HistoryLine[] = [];
  let lastAt: Date | null = null;
  let lastValues: ValueMap | null = null;
  let lastRef: { version: number; planned: string | null } | null = null;
  source.history.forEach((row, index) => {
    const r = ref('ftf_config_history', row.id);
    const values = historyValues[index]!;
    const before = lastValues ?? {};
    const changedKeys = new Set([...Object.keys(before), ...Object.keys(values)].filter((k) => before[k] !== values[k])).size;
    const refused = check(r, values);
    const already = imported.get(r);
    superset(r, values, already);
    let at = row.changedAt;
    if (at === null) {
      at = lastAt ?? now;
      notes.push(`${r} has no changed_at: ${lastAt ? 'the previous row\'s time' : 'the import time'} used`);
    }
    lastAt = at;
    const authorName = row.changedBy ?? 'unknown';
    let version: number | null = already?.configVersion ?? null;
    if (!already) {
      version = nextVersion++;
      versions.push({
        table: 'ftf_config_history', legacyId: row.id, version, values, actor: legacyActorName(row.changedBy), authorName,
        reason: row.changeReason?.trim() ? row.changeReason.trim() : `Imported from ${r}: the legacy tool recorded no reason`,
        legacyReason: row.changeReason, at, legacyDiff: row.diff,
      });
    }
    lastValues = values;
    lastRef = { version: version!, planned: already ? null : r };
    historyLines.push({ row: r, at: at.toISOString(), author: legacyActorName(row.changedBy), reason: row.changeReason, changedKeys, refused, version, alreadyImported: already !== undefined });
  });

  // ---- the current row: the active version
  let current: LegacyImportReport['current'] = { row: null, toImport: false, version: null, sameAsHistory: false };
  let currentAlias: LegacyImportPlan['currentAlias'] = null;
  if (configRow && currentValues) {
    const legacyId = `${configRow.id}@${fingerprint(currentValues)}`;
    const r = ref('ftf_config', configRow.id);
    const key = ref('ftf_config', legacyId);
    const already = imported.get(key);
    check(r, currentValues);
    superset(r, currentValues, already);
    const same = lastValues !== null && canonicalize(lastValues) === canonicalize(currentValues);
    if (already) {
      current = { row: r, toImport: false, version: already.configVersion, sameAsHistory: same };
    } else if (same && lastRef) {
      const { version, planned } = lastRef as { version: number; planned: string | null };
      currentAlias = { legacyId, version, plannedWith: planned };
      current = { row: r, toImport: true, version, sameAsHistory: true };
    } else {
      const version = nextVersion++;
      versions.push({
        table: 'ftf_config', legacyId, version, values: currentValues, actor: legacyActorName(configRow.updatedBy), authorName: configRow.updatedBy ?? 'unknown',
        reason: `Imported from ${r}: the legacy configuration as it stood at the cut-over`, legacyReason: null,
        at: configRow.updatedAt ?? lastAt ?? now, legacyDiff: null,
      });
      current = { row: r, toImport: true, version, sameAsHistory: false };
    }
  }

  // ---- runs
  const runs: PlannedRun[] = [];
  const runLines: RunLine[] = source.runs.map((run, index) => {
    const r = ref('finetune_runs', run.runId);
    const values = runValues[index]!;
    const refused = check(r, values);
    const already = imported.get(r);
    superset(r, values, already);
    const outcome = legacyRunOutcome(run, now);
    if (!already) {
      runs.push({
        legacyId: run.runId, name: run.name ?? `legacy run ${run.runId}`, status: outcome.status, legacyStatus: run.status,
        startedAt: outcome.startedAt, endedAt: outcome.endedAt, outcomeMessage: outcome.outcomeMessage,
        actor: legacyActorName(run.startedBy), authorName: run.startedBy ?? 'unknown', values, metadata: run.metadata,
      });
    }
    return {
      row: r, name: run.name ?? `legacy run ${run.runId}`, legacyStatus: run.status, status: outcome.status,
      startedAt: outcome.startedAt.toISOString(), endedAt: outcome.endedAt.toISOString(), refused, notes: outcome.notes, alreadyImported: already !== undefined,
    };
  });

  const keysFound = [...keySeen.keys()].sort();
  const legacyKeys = new Set(Object.keys(currentValues ?? lastValues ?? {}));
  const report: LegacyImportReport = {
    mode: 'dry-run',
    source: source.description,
    environment: environment.name,
    environmentExists: environment.exists,
    absentColumns: source.absentColumns,
    keysFound,
    unknownKeys,
    refusedValues: [...refusals.values()].sort((a, b) => (a.parameter ?? a.rule ?? '').localeCompare(b.parameter ?? b.rule ?? '') || (a.value ?? '').localeCompare(b.value ?? '')),
    conversions: [...conversions.values()],
    history: { total: historyLines.length, toImport: historyLines.filter((h) => !h.alreadyImported).length, alreadyImported: historyLines.filter((h) => h.alreadyImported).length, rows: historyLines },
    current,
    runs: { total: runLines.length, toImport: runs.length, alreadyImported: runLines.length - runs.length, rows: runLines },
    catalogParametersAbsentFromLegacy: [...catalog.entries.values()].filter((e) => !e.deprecated && !legacyKeys.has(e.name)).length,
    notes,
    superset: { ok: missing.length === 0, checkedRows, missing },
  };
  return { report, versions, currentAlias, runs, entries };
}
