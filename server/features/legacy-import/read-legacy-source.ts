import pg from 'pg';
import type { LegacyConfigRow, LegacyHistoryRow, LegacyRunRow, LegacySnapshot, LegacySource } from './legacy-rows.ts';

// Reads the three legacy tables over a plain pg connection, read-only. Rows
// come as to_jsonb(row), so a column the table lacks is simply absent and no
// query names a column that may not exist.

const expected = {
  ftf_config: ['id', 'base_env', 'updated_at', 'updated_by'],
  ftf_config_history: ['id', 'base_env', 'diff', 'changed_by', 'change_reason', 'changed_at'],
  finetune_runs: ['run_id', 'base_env', 'status'],
} as const;

const runStartColumns = ['started_at', 'start_time', 'created_at'];
const runEndColumns = ['ended_at', 'finished_at', 'completed_at', 'end_time'];
const runAuthorColumns = ['started_by', 'triggered_by', 'created_by', 'operator'];
const runNameColumns = ['run_name', 'name'];

type Row = Record<string, unknown>;

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.trim() === '' ? null : s;
}

/** A timestamp from to_jsonb: ISO text, with or without an offset (a `timestamp` column is read as UTC). */
export function legacyTime(value: unknown): Date | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const withZone = /(?:Z|[+-]\d\d(?::?\d\d)?)$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** base_env is JSONB, or (older schemas) JSON in a text column. Anything else is no snapshot. */
export function legacySnapshot(value: unknown): LegacySnapshot | null {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as LegacySnapshot) : null;
}

function firstOf(row: Row, columns: readonly string[]): unknown {
  for (const column of columns) if (row[column] !== undefined && row[column] !== null) return row[column];
  return null;
}

/** Oldest first: ids when they are all integers (a serial is the insertion order), else the time. */
function historyOrder(rows: LegacyHistoryRow[]): LegacyHistoryRow[] {
  const numeric = rows.every((r) => /^\d+$/.test(r.id));
  return [...rows].sort((a, b) => {
    if (numeric) return Number(BigInt(a.id) - BigInt(b.id));
    const t = (a.changedAt?.getTime() ?? 0) - (b.changedAt?.getTime() ?? 0);
    return t !== 0 ? t : a.id.localeCompare(b.id);
  });
}

function describe(connectionString: string): string {
  const url = new URL(connectionString);
  return `${url.pathname.replace(/^\//, '') || '(default database)'} on ${url.hostname}${url.port ? `:${url.port}` : ''}`;
}

export async function readLegacySource(connectionString: string): Promise<LegacySource> {
  const client = new pg.Client({ connectionString, application_name: 'ucp-legacy-import' });
  await client.connect();
  try {
    // A read-only transaction: one consistent picture of the three tables, and no write by mistake.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: columnRows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY($1)`, [Object.keys(expected)]);
    const columns = new Map<string, Set<string>>();
    for (const { table_name, column_name } of columnRows) {
      if (!columns.has(table_name)) columns.set(table_name, new Set());
      columns.get(table_name)!.add(column_name);
    }
    const absentColumns: string[] = [];
    for (const [table, names] of Object.entries(expected)) {
      const present = columns.get(table);
      if (!present) absentColumns.push(table);
      else for (const name of names) if (!present.has(name)) absentColumns.push(`${table}.${name}`);
    }
    const read = async (table: string): Promise<Row[]> => {
      if (!columns.has(table)) return [];
      const { rows } = await client.query<{ row: Row }>(`SELECT to_jsonb(t) AS row FROM ${table} t`);
      return rows.map((r) => r.row);
    };
    const [configRows, historyRows, runRows] = [await read('ftf_config'), await read('ftf_config_history'), await read('finetune_runs')];
    await client.query('COMMIT');

    const config: LegacyConfigRow[] = configRows.map((row, index) => ({
      id: text(row.id) ?? String(index + 1),
      baseEnv: legacySnapshot(row.base_env),
      updatedAt: legacyTime(row.updated_at),
      updatedBy: text(row.updated_by),
    }));
    const history: LegacyHistoryRow[] = historyOrder(historyRows.map((row, index) => ({
      id: text(row.id) ?? String(index + 1),
      baseEnv: legacySnapshot(row.base_env),
      diff: row.diff ?? null,
      changedBy: text(row.changed_by),
      changeReason: text(row.change_reason),
      changedAt: legacyTime(row.changed_at),
    })));
    const runs: LegacyRunRow[] = runRows.map((row, index) => ({
      runId: text(row.run_id) ?? `row-${index + 1}`,
      baseEnv: legacySnapshot(row.base_env),
      status: text(row.status),
      startedAt: legacyTime(firstOf(row, runStartColumns)),
      endedAt: legacyTime(firstOf(row, runEndColumns)),
      startedBy: text(firstOf(row, runAuthorColumns)),
      name: text(firstOf(row, runNameColumns)),
      // Everything the row holds but the snapshot, the original columns included, so nothing is lost.
      metadata: Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'base_env')),
    })).sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0) || a.runId.localeCompare(b.runId));
    return { description: describe(connectionString), config, history, runs, absentColumns };
  } finally {
    await client.end();
  }
}
