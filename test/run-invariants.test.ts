import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/**
 * Issue 10's run invariants, attacked with raw SQL: whatever holds a
 * connection, a run is pinned to a set and an environment version holding
 * exactly its values, moves forward only, never changes once finished and
 * is never deleted; a session's epochs come in order and are append-only.
 */
describe('run invariants (raw SQL)', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  let devId: string;
  let stagingId: string;
  const set = 'b'.repeat(64);
  const otherSet = 'c'.repeat(64);

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    devId = (await sql.query(`SELECT id FROM environments WHERE name = 'dev'`)).rows[0].id;
    stagingId = (await sql.query(`SELECT id FROM environments WHERE name = 'staging'`)).rows[0].id;
    // A set holding exactly dev@1's values, and one holding something else.
    await sql.query(
      `INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, code_version)
       SELECT $1, environment_id, version, 1, values, '{}', '{}' FROM config_versions WHERE environment_id = $2 AND version = 1`, [set, devId]);
    await sql.query(`INSERT INTO parameter_sets (hash, catalog_version, "values", catalog_snapshot, code_version) VALUES ($1, 1, '{"CVN_ATR_PERIOD":"99"}', '{}', '{}')`, [otherSet]);
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  /** Inserts a pinned run (dev@1 on `set` unless overridden) and returns its id. */
  async function insertRun(columns: Record<string, unknown> = {}): Promise<string> {
    const row = { kind: 'PAPER', name: 'raw run', parameter_set_hash: set, environment_id: devId, config_version: 1, started_by: 'psql', ...columns };
    const names = Object.keys(row);
    const { rows } = await sql.query(
      `INSERT INTO runs (id, ${names.join(', ')}) VALUES (gen_random_uuid(), ${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(row),
    );
    return rows[0].id;
  }
  const update = (id: string, assignment: string) => sql.query(`UPDATE runs SET ${assignment} WHERE id = $1`, [id]);

  describe('pinning', () => {
    it('accepts a run pinned to a version that holds exactly its set\'s values', async () => {
      expect(await insertRun()).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('refuses a run without an environment or a version unless it is legacy', async () => {
      await expect(insertRun({ environment_id: null })).rejects.toThrow(/runs_pinned_unless_legacy/);
      await expect(insertRun({ config_version: null })).rejects.toThrow(/runs_pinned_unless_legacy/);
    });

    it('refuses a version that does not hold the set\'s values, or does not exist', async () => {
      await expect(insertRun({ parameter_set_hash: otherSet })).rejects.toThrow(/does not hold the values of version 1/);
      await expect(insertRun({ environment_id: stagingId, config_version: 99 })).rejects.toThrow(/foreign key/);
    });

    it('lets a legacy run in only as finished history', async () => {
      await expect(insertRun({ legacy: true, environment_id: null, config_version: null })).rejects.toThrow(/legacy run is imported history/);
      await insertRun({ legacy: true, environment_id: null, config_version: null, status: 'SUCCEEDED', started_at: new Date(Date.now() - 3_600_000), ended_at: new Date() });
    });

    it('starts a run PENDING or RUNNING, named by who started it', async () => {
      await expect(insertRun({ status: 'SUCCEEDED', started_at: new Date(Date.now() - 3_600_000), ended_at: new Date() })).rejects.toThrow(/starts PENDING or RUNNING/);
      await expect(insertRun({ started_by: ' ' })).rejects.toThrow(/runs_started_by_present/);
      await expect(insertRun({ started_by: null })).rejects.toThrow(/null value in column "started_by"/);
    });

    it('never changes what a run is pinned to', async () => {
      const id = await insertRun();
      for (const [assignment, refusal] of [
        [`parameter_set_hash = '${otherSet}'`, /ran under parameter set .* never changes/],
        [`environment_id = '${stagingId}'`, /is pinned/],
        ['config_version = 2', /is pinned/],
        ['config_version = NULL', /is pinned/],
        ['legacy = true', /is pinned/],
        [`started_by = 'someone else'`, /is pinned/],
        [`kind = 'LIVE'`, /id, kind and start time never change/],
        [`started_at = started_at - interval '1 day'`, /id, kind and start time never change/],
      ] as const) {
        await expect(update(id, assignment), assignment).rejects.toThrow(refusal);
      }
      // Its name and metadata may still change while it runs (not once it ended).
      await update(id, `name = 'renamed', metadata = '{"progress":0.5}'`);
    });
  });

  describe('status', () => {
    it('moves forward only', async () => {
      const id = await insertRun();
      await update(id, `status = 'RUNNING'`);
      await expect(update(id, `status = 'PENDING'`)).rejects.toThrow(/cannot go back to PENDING/);
    });

    it('ends with an end time, never before the start, and carries the outcome only once finished', async () => {
      const id = await insertRun();
      await expect(update(id, `status = 'SUCCEEDED'`)).rejects.toThrow(/needs an end time/);
      await expect(update(id, `ended_at = now()`)).rejects.toThrow(/has not ended/);
      await expect(update(id, `status = 'FAILED', ended_at = started_at - interval '1 second'`)).rejects.toThrow(/cannot end before it started/);
      await expect(update(id, `output_digest = 'sha256:${'a'.repeat(64)}'`)).rejects.toThrow(/runs_outcome_when_finished/);
      await expect(update(id, `outcome_message = 'early'`)).rejects.toThrow(/runs_outcome_when_finished/);
      await expect(update(id, `status = 'SUCCEEDED', ended_at = now(), output_digest = 'not a digest'`)).rejects.toThrow(/runs_output_digest_format/);
      await update(id, `status = 'SUCCEEDED', ended_at = now(), output_digest = 'sha256:${'a'.repeat(64)}', outcome_message = 'done'`);
    });

    it('never changes a finished run, nor deletes any run', async () => {
      const id = await insertRun();
      await update(id, `status = 'CANCELLED', ended_at = now()`);
      for (const assignment of [`status = 'SUCCEEDED'`, 'ended_at = now()', `outcome_message = 'rewritten'`, `output_digest = 'sha256:${'b'.repeat(64)}'`, `name = 'renamed'`, `metadata = '{"sharpe":3}'`]) {
        await expect(update(id, assignment), assignment).rejects.toThrow(/already ended as CANCELLED/);
      }
      await expect(sql.query(`DELETE FROM runs WHERE id = $1`, [id])).rejects.toThrow(/runs are never deleted/);
      await expect(sql.query(`DELETE FROM runs`)).rejects.toThrow(/runs are never deleted/);
      await expect(sql.query(`TRUNCATE runs CASCADE`)).rejects.toThrow(/cannot be truncated|is append-only/);
      await expect(sql.query(`TRUNCATE run_epochs`)).rejects.toThrow(/run_epochs is append-only/);
    });
  });

  describe('session epochs', () => {
    const insertEpoch = (runId: string, columns: Record<string, unknown> = {}) => {
      const row = { run_id: runId, environment_id: devId, config_version: 1, parameter_set_hash: set, applied_at: new Date(), recorded_by: 'psql', ...columns };
      const names = Object.keys(row);
      return sql.query(`INSERT INTO run_epochs (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`, Object.values(row));
    };

    it('records the versions a running session applied, in order, and never rewrites one', async () => {
      const session = await insertRun({ kind: 'LIVE' });
      const first = await insertEpoch(session, { applied_at: new Date(Date.now() + 1000) });
      await expect(insertEpoch(session, { applied_at: new Date() })).rejects.toThrow(/recorded in order/);
      await expect(sql.query(`UPDATE run_epochs SET applied_at = now() WHERE id = $1`, [first.rows[0].id])).rejects.toThrow(/run_epochs is append-only/);
      await expect(sql.query(`DELETE FROM run_epochs WHERE id = $1`, [first.rows[0].id])).rejects.toThrow(/run_epochs is append-only/);
    });

    it('belongs to a paper or live session of its own environment, started and not finished', async () => {
      const backtest = await insertRun({ kind: 'BACKTEST' });
      await expect(insertEpoch(backtest)).rejects.toThrow(/only paper and live sessions have epochs/);
      const session = await insertRun();
      await expect(insertEpoch(session, { applied_at: new Date(Date.now() - 86_400_000) })).rejects.toThrow(/before the run started/);
      await expect(insertEpoch(session, { environment_id: stagingId })).rejects.toThrow(/the run's own environment/);
      await expect(insertEpoch(session, { parameter_set_hash: otherSet })).rejects.toThrow(/does not hold the values of version 1/);
      await update(session, `status = 'FAILED', ended_at = now()`);
      await expect(insertEpoch(session)).rejects.toThrow(/already ended as FAILED/);
    });
  });

  it('ties a set to the version it was frozen from', async () => {
    await expect(sql.query(
      `INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, code_version) VALUES ($1, $2, 999, 1, '{}', '{}', '{}')`,
      ['d'.repeat(64), devId],
    )).rejects.toThrow(/parameter_sets_environment_id_config_version_fkey/);
  });
});
