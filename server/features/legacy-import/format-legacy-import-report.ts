import type { LegacyImportReport } from './legacy-import-report.ts';

// The report as an operator reads it in a terminal (the --json form is the object itself).

const listed = (rows: string[], max = 6) => `${rows.slice(0, max).join(', ')}${rows.length > max ? `, … (${rows.length} rows)` : ''}`;

export function formatLegacyImportReport(r: LegacyImportReport): string {
  const out: string[] = [];
  const line = (s = '') => out.push(s);
  line(`Legacy import ${r.mode === 'dry-run' ? 'DRY RUN (nothing written)' : 'IMPORT'}: ${r.source} → environment ${r.environment}${r.environmentExists ? '' : ' (to be created)'}`);
  if (r.absentColumns.length) line(`Absent in the source: ${r.absentColumns.join(', ')}`);
  line();
  line(`Keys found: ${r.keysFound.length}; unknown to the catalog: ${r.unknownKeys.length}; catalog parameters the legacy configuration has no value for: ${r.catalogParametersAbsentFromLegacy}`);
  for (const k of r.unknownKeys) {
    const p = k.proposal;
    const shape = p ? `${p.type}${p.type === 'ENUM' ? ` [${(p.allowedValues ?? []).join(', ')}]` : ''}${p.minValue != null || p.maxValue != null ? ` ${p.minValue ?? '-∞'}..${p.maxValue ?? '∞'}` : ''}, group "${p.group}", ${p.category}, default ${JSON.stringify(p.defaultValue)}` : 'no proposal';
    line(`  ${k.willCreate ? '+' : '?'} ${k.name} (in ${k.seenIn} snapshots): ${shape}${k.problem ? ` — ${k.problem}` : ''}`);
  }
  line();
  line(`Values today's catalog would refuse: ${r.refusedValues.length} (kept as history; a restore or promotion of them is refused)`);
  for (const v of r.refusedValues) {
    line(`  ${v.code} ${v.parameter ?? `rule ${v.rule}`}${v.value !== null ? ` = ${JSON.stringify(v.value)}` : ''} in ${listed(v.rows)}`);
    line(`      ${v.reason}`);
  }
  if (r.conversions.length) {
    line();
    line(`Values converted to strings (ADR-59): ${r.conversions.length}`);
    for (const c of r.conversions) line(`  ${c.parameter}: ${c.legacy} → ${JSON.stringify(c.stored)} in ${listed(c.rows, 3)}`);
  }
  line();
  line(`History rows: ${r.history.total} (${r.history.toImport} to import, ${r.history.alreadyImported} already imported)`);
  for (const h of r.history.rows) {
    line(`  ${h.alreadyImported ? '=' : '+'} ${h.row} → v${h.version ?? '?'} ${h.at} ${h.author} ${h.changedKeys} changed${h.refused ? `, ${h.refused} refused today` : ''}: ${h.reason === null ? '(no reason)' : JSON.stringify(h.reason)}`);
  }
  line(`Current row: ${r.current.row ?? 'none'}${r.current.row ? ` → active version v${r.current.version ?? '?'}${r.current.sameAsHistory ? ' (same values as the last history row)' : ''}${r.current.toImport ? '' : ' (already imported)'}` : ''}`);
  line();
  line(`Runs: ${r.runs.total} (${r.runs.toImport} to import as legacy runs, ${r.runs.alreadyImported} already imported)`);
  for (const run of r.runs.rows) {
    line(`  ${run.alreadyImported ? '=' : '+'} ${run.row} "${run.name}" ${run.legacyStatus ?? 'null'} → ${run.status} ${run.startedAt}..${run.endedAt}${run.refused ? `, ${run.refused} refused today` : ''}${run.notes.length ? ` (${run.notes.join('; ')})` : ''}`);
  }
  if (r.notes.length) {
    line();
    line('Notes:');
    for (const n of r.notes) line(`  - ${n}`);
  }
  line();
  if (r.superset.ok) line(`Superset check: PASSED (${r.superset.checkedRows} rows: every legacy key present, every value preserved)`);
  else {
    line(`Superset check: FAILED (${r.superset.missing.length} value(s) of ${r.superset.checkedRows} rows would not come across)`);
    // One line per key and reason, with its rows (the --json form lists every miss on its own).
    const grouped = new Map<string, { parameter: string | null; reason: string; rows: string[] }>();
    for (const m of r.superset.missing) {
      const key = `${m.parameter ?? ''}\u0000${m.reason}`;
      const g = grouped.get(key) ?? { parameter: m.parameter, reason: m.reason, rows: [] };
      g.rows.push(m.row);
      grouped.set(key, g);
    }
    for (const g of grouped.values()) line(`  ${g.parameter ?? '(row)'} in ${listed(g.rows, 4)}: ${g.reason}`);
  }
  if (r.imported) {
    const i = r.imported;
    line(`Imported: ${i.versions} versions, ${i.runs} legacy runs, ${i.parameterSets} parameter sets, ${i.actors} legacy actors, ${i.catalogEntries} catalog entries; active version ${i.activeVersion}; ${i.milliseconds} ms`);
  }
  return out.join('\n');
}
