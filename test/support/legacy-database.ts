import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { seedCatalog } from '../../server/seed/seed-database.ts';
import { databaseUrlFor, withAdminClient } from './postgres-admin.ts';

// A legacy CVNTrade database (seeds/002: ftf_config, ftf_config_history,
// finetune_runs) built in the real PostgreSQL server, with the rows a
// cut-over meets: hundreds of history rows, a stretch under the deprecated
// PTE envelope of incident #673 and runs made under it, keys the catalog does
// not know, values outside today's bounds, null reasons and authors, numbers
// where ADR-59 wants strings, a column the old schema never had.

export interface LegacyDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export interface LegacyFixture {
  historyRows: number;
  runs: number;
  /** Extra keys in every snapshot (e.g. one that can never be a catalog name). */
  extraKeys?: Record<string, string>;
  /** The current row's overrides on top of the last history snapshot. */
  currentOverrides?: Record<string, unknown>;
}

export const deprecatedEnvelope = { CVN_PTE_ENVELOPE: 'ATR1.5_3.0_H5', CVN_PTE_SL_MULT: '1.5', CVN_PTE_TP_MULT: '3.0', CVN_PTE_HORIZON_BARS: '5' };
export const currentEnvelope = { CVN_PTE_ENVELOPE: 'ATR0.5_1.5_H4', CVN_PTE_SL_MULT: '0.5', CVN_PTE_TP_MULT: '1.5', CVN_PTE_HORIZON_BARS: '4' };
/** History rows (1-based ids) whose snapshot holds the #673 envelope. */
export const deprecatedRows = { from: 40, to: 60 };
/** History rows whose CVN_ATR_PERIOD is 500, over today's maximum of 200. */
export const outOfBoundsRows = { from: 100, to: 104 };
export const authors = ['dococeven', 'ops-bot', null] as const;

/** The snapshot after history row `id` (1-based): deterministic, so tests can recompute it. */
export function legacySnapshotAt(id: number, extraKeys: Record<string, string> = {}): Record<string, unknown> {
  // The whole S17-era base_env: the pipeline keys and the 455 training hyper-parameters.
  const base: Record<string, unknown> = Object.fromEntries(
    seedCatalog().filter((e) => !e.deprecated).map((e) => [e.name, e.defaultValue]),
  );
  Object.assign(base, currentEnvelope);
  base.CVN_CUSUM_THRESHOLD = (1 + (id % 10) / 10).toFixed(1);
  base.CVN_ATR_PERIOD = id >= outOfBoundsRows.from && id <= outOfBoundsRows.to ? '500' : String(10 + (id % 7));
  if (id >= deprecatedRows.from && id <= deprecatedRows.to) Object.assign(base, deprecatedEnvelope);
  // Keys the catalog does not know: an enum-like mode, an integer, both valid catalog names.
  base.CVN_LEGACY_WARMUP_MODE = id % 2 === 0 ? 'fast' : 'slow';
  base.CVN_LEGACY_MAX_SPREAD_BPS = String(20 + (id % 5));
  // JSONB let a number in where ADR-59 wants a string.
  if (id % 50 === 0) base.CVN_SIGNAL_CONFIRMATION_BARS = 2;
  return { ...base, ...extraKeys };
}

const day = 24 * 3600 * 1000;
const epoch = Date.parse('2026-01-05T08:00:00Z');
export const changedAt = (id: number) => new Date(epoch + id * day / 4);

export async function createLegacyDatabase({ historyRows, runs, extraKeys = {}, currentOverrides = {} }: LegacyFixture): Promise<LegacyDatabase> {
  const name = `ucp_legacy_${randomBytes(4).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const url = databaseUrlFor(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // The legacy schema (infra/migrations/007_ftf_config.sql, roughly): ftf_config has no updated_by column.
    await client.query(`
      CREATE TABLE ftf_config (id serial PRIMARY KEY, base_env jsonb NOT NULL, updated_at timestamp);
      CREATE TABLE ftf_config_history (id serial PRIMARY KEY, base_env jsonb, diff jsonb, changed_by text, change_reason text, changed_at timestamptz);
      CREATE TABLE finetune_runs (run_id text PRIMARY KEY, base_env jsonb, status text, started_at timestamptz, finished_at timestamptz,
        triggered_by text, crypto_list text[], fold int, f1_buy double precision, git_sha text, notes jsonb);`);
    const rows: unknown[][] = [];
    let previous: Record<string, unknown> = {};
    for (let id = 1; id <= historyRows; id += 1) {
      const snapshot = legacySnapshotAt(id, extraKeys);
      const diff = Object.fromEntries(Object.keys(snapshot).filter((k) => previous[k] !== snapshot[k]).map((k) => [k, { old: previous[k] ?? null, new: snapshot[k] }]));
      const reason = id % 7 === 0 ? null : id >= deprecatedRows.from && id <= deprecatedRows.to ? 'Switch to the wider envelope for the defi_top5 sweep' : `Tuning step ${id}`;
      rows.push([JSON.stringify(snapshot), JSON.stringify(diff), authors[id % authors.length], reason, changedAt(id)]);
      previous = snapshot;
    }
    for (let i = 0; i < rows.length; i += 100) {
      const chunk = rows.slice(i, i + 100);
      await client.query(
        `INSERT INTO ftf_config_history (base_env, diff, changed_by, change_reason, changed_at) VALUES ${chunk.map((_, j) => `($${j * 5 + 1}, $${j * 5 + 2}, $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 5})`).join(', ')}`,
        chunk.flat());
    }
    const current = { ...legacySnapshotAt(historyRows, extraKeys), ...currentOverrides };
    await client.query(`INSERT INTO ftf_config (base_env, updated_at) VALUES ($1, $2)`, [JSON.stringify(current), changedAt(historyRows + 1).toISOString().replace('Z', '')]);
    const statuses = ['completed', 'completed', 'failed', 'running', null] as const;
    for (let r = 1; r <= runs; r += 1) {
      // Every fourth run started under the #673 envelope stretch of the history.
      const at = r % 4 === 0 ? deprecatedRows.from + (r % (deprecatedRows.to - deprecatedRows.from)) : Math.max(1, Math.round((r / runs) * historyRows));
      const status = statuses[r % statuses.length]!;
      const started = new Date(changedAt(at).getTime() + 3600_000);
      await client.query(
        `INSERT INTO finetune_runs (run_id, base_env, status, started_at, finished_at, triggered_by, crypto_list, fold, f1_buy, git_sha, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [`ftf-${String(r).padStart(4, '0')}`, JSON.stringify(legacySnapshotAt(at, extraKeys)), status, started,
          status === 'completed' || status === 'failed' ? new Date(started.getTime() + 3 * 3600_000) : null,
          r % 3 === 0 ? null : 'airflow', ['BTCUSDC', 'ETHUSDC'], r % 5, status === 'completed' ? 0.41 : null,
          r % 2 === 0 ? 'a'.repeat(40) : null, JSON.stringify({ trial: r })],
      );
    }
  } finally {
    await client.end();
  }
  return {
    url,
    name,
    drop: () => withAdminClient(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}
