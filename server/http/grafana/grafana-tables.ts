import type { ConfigChangeRow, VersionRow, WorkerRow } from '../../features/observability/index.ts';
import { coverageRatio, type WorkerState } from '../../features/workers/index.ts';
import { table, timeCell, type TableAnswer } from './grafana-answers.ts';

// How each table target shapes its rows. Column names are what the
// dashboards (monitoring/grafana/dashboards/*.json) show and filter on.

/** One row per worker: what it runs, where it stands, when it last reported. */
export function workerTable(rows: readonly WorkerRow[]): TableAnswer {
  return table<WorkerRow>([
    { text: 'environment', type: 'string', value: (w) => w.environment },
    { text: 'worker', type: 'string', value: (w) => w.worker },
    { text: 'mode', type: 'string', value: (w) => w.mode },
    { text: 'status', type: 'string', value: (w) => w.status },
    { text: 'applied version', type: 'number', value: (w) => w.appliedVersion },
    { text: 'active version', type: 'number', value: (w) => w.activeVersion },
    { text: 'lag (versions)', type: 'number', value: (w) => w.lag.versions },
    { text: 'lag (s)', type: 'number', value: (w) => (w.lag.seconds === null ? null : Math.round(w.lag.seconds * 1000) / 1000) },
    { text: 'lagging', type: 'number', value: (w) => (w.lag.lagging ? 1 : 0) },
    { text: 'last apply', type: 'time', value: (w) => timeCell(w.lastAppliedAt) },
    { text: 'pending restart', type: 'number', value: (w) => w.pendingRestart.length },
    { text: 'pending restart parameters', type: 'string', value: (w) => w.pendingRestart.join(', ') },
    { text: 'last heartbeat', type: 'time', value: (w) => timeCell(w.lastHeartbeatAt) },
  ], rows);
}

export function laggingCountTable(rows: readonly { environment: string; running: number; lagging: number }[]): TableAnswer {
  return table<(typeof rows)[number]>([
    { text: 'environment', type: 'string', value: (r) => r.environment },
    { text: 'running', type: 'number', value: (r) => r.running },
    { text: 'lagging', type: 'number', value: (r) => r.lagging },
  ], rows);
}

/** The coverage gauge's figures per consumer (ucp_worker_parameter_coverage_ratio). */
export function coverageTable(rows: readonly WorkerState[]): TableAnswer {
  return table<WorkerState>([
    { text: 'environment', type: 'string', value: (w) => w.environment },
    { text: 'worker', type: 'string', value: (w) => w.worker },
    { text: 'coverage', type: 'number', value: (w) => coverageRatio(w) },
    { text: 'covered', type: 'number', value: (w) => w.covered },
    { text: 'consumed', type: 'number', value: (w) => w.consumed },
    { text: 'uncovered', type: 'number', value: (w) => w.consumed - w.covered },
  ], rows);
}

/** Who changed what, why, in which version: one row per changed parameter. */
export function configChangeTable(rows: readonly ConfigChangeRow[]): TableAnswer {
  return table<ConfigChangeRow>([
    { text: 'time', type: 'time', value: (r) => r.time },
    { text: 'environment', type: 'string', value: (r) => r.environment },
    { text: 'version', type: 'number', value: (r) => r.version },
    { text: 'kind', type: 'string', value: (r) => r.kind },
    { text: 'parameter', type: 'string', value: (r) => r.parameter },
    { text: 'category', type: 'string', value: (r) => r.category },
    { text: 'before', type: 'string', value: (r) => r.before },
    { text: 'after', type: 'string', value: (r) => r.after },
    { text: 'author', type: 'string', value: (r) => r.author },
    { text: 'approver', type: 'string', value: (r) => r.approver },
    { text: 'reason', type: 'string', value: (r) => r.reason },
  ], rows);
}

/** How many changed parameters an annotation's text spells out before "and N more". */
const annotationChanges = 10;

function describeChanges(changes: VersionRow['changes']): string {
  const shown = changes.slice(0, annotationChanges).map((c) => `${c.parameter}: ${c.before ?? '∅'} → ${c.after ?? '∅'}`);
  const more = changes.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/**
 * One row per version, in the columns Grafana's annotation support maps by
 * name (time, title, text, tags), with who, why and which version beside them.
 */
export function versionAnnotationTable(rows: readonly VersionRow[]): TableAnswer {
  return table<VersionRow>([
    { text: 'time', type: 'time', value: (r) => r.time },
    { text: 'title', type: 'string', value: (r) => `${r.environment} v${r.version} ${r.kind.toLowerCase()} by ${r.author}` },
    { text: 'text', type: 'string', value: (r) => `${r.reason}${r.approver ? ` (approved by ${r.approver})` : ''}: ${describeChanges(r.changes)}` },
    { text: 'tags', type: 'string', value: (r) => [r.environment, r.kind.toLowerCase()].join(',') },
    { text: 'environment', type: 'string', value: (r) => r.environment },
    { text: 'version', type: 'number', value: (r) => r.version },
    { text: 'kind', type: 'string', value: (r) => r.kind },
    { text: 'author', type: 'string', value: (r) => r.author },
    { text: 'approver', type: 'string', value: (r) => r.approver },
    { text: 'reason', type: 'string', value: (r) => r.reason },
    { text: 'changes', type: 'number', value: (r) => r.changes.length },
  ], rows);
}
