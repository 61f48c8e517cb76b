import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/**
 * The invariants hold for any client with a connection, not only the API:
 * each is attacked here with raw SQL.
 */
describe('database invariants (raw SQL)', () => {
  let db: TestDatabase;
  let sql: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql.end();
    await db.drop();
  });

  const dev = () => sql.query<{ id: string; active_version: number }>(`SELECT id, active_version FROM environments WHERE name = 'dev'`).then((r) => r.rows[0]!);
  const admin = () => sql.query<{ id: string }>(`SELECT id FROM users WHERE username = 'admin'`).then((r) => r.rows[0]!.id);

  describe('append-only history', () => {
    it.each([
      ['config_versions', `UPDATE config_versions SET reason = 'rewritten'`],
      ['config_versions', `DELETE FROM config_versions`],
      ['config_versions', `TRUNCATE config_versions CASCADE`],
      ['config_changes', `UPDATE config_changes SET after = 'x'`],
      ['config_changes', `DELETE FROM config_changes`],
      ['audit_events', `UPDATE audit_events SET actor = 'someone else'`],
      ['audit_events', `DELETE FROM audit_events`],
      ['audit_events', `TRUNCATE audit_events`],
      ['variable_catalog_history', `UPDATE variable_catalog_history SET reason = 'x'`],
      ['variable_catalog_history', `DELETE FROM variable_catalog_history`],
    ])('%s refuses: %s', async (table, statement) => {
      await expect(sql.query(statement)).rejects.toThrow(new RegExp(`${table} is append-only`));
    });
  });

  describe('versions per environment', () => {
    it('refuses a version that skips ahead', async () => {
      const env = await dev();
      await expect(sql.query(
        `INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id) VALUES ($1, $2, 'EDIT', '{}', 'skip', $3)`,
        [env.id, env.active_version + 2, await admin()],
      )).rejects.toThrow(/out of sequence: the next version is/);
    });

    it('refuses a version that repeats or goes back', async () => {
      const env = await dev();
      await expect(sql.query(
        `INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id) VALUES ($1, $2, 'EDIT', '{}', 'again', $3)`,
        [env.id, env.active_version, await admin()],
      )).rejects.toThrow(/out of sequence/);
    });

    it('accepts exactly N+1 and moves the active version with it', async () => {
      const env = await dev();
      await sql.query(
        `INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id) VALUES ($1, $2, 'EDIT', '{}', 'next', $3)`,
        [env.id, env.active_version + 1, await admin()],
      );
      expect((await dev()).active_version).toBe(env.active_version + 1);
    });

    it('refuses moving the active version by hand', async () => {
      await expect(sql.query(`UPDATE environments SET active_version = 99 WHERE name = 'dev'`)).rejects.toThrow(/moves only by inserting a config version/);
    });

    it('refuses deleting an environment', async () => {
      await expect(sql.query(`DELETE FROM environments WHERE name = 'prod'`)).rejects.toThrow(/never deleted/);
    });
  });

  describe('catalog entries are deprecated, never deleted or renamed', () => {
    it('refuses delete', async () => {
      await expect(sql.query(`DELETE FROM variable_catalog WHERE name = 'CVN_ATR_PERIOD'`)).rejects.toThrow(/cannot be deleted: deprecate it instead/);
    });
    it('refuses rename', async () => {
      await expect(sql.query(`UPDATE variable_catalog SET name = 'CVN_ATR_LEN' WHERE name = 'CVN_ATR_PERIOD'`)).rejects.toThrow(/cannot be renamed/);
    });
    it('allows deprecation', async () => {
      await sql.query(`UPDATE variable_catalog SET deprecated = true WHERE name = 'CVN_ATR_PERIOD'`);
      const row = await sql.query(`SELECT deprecated FROM variable_catalog WHERE name = 'CVN_ATR_PERIOD'`);
      expect(row.rows[0].deprecated).toBe(true);
    });
  });

  describe('parameter sets and runs', () => {
    const hash = 'a'.repeat(64);
    const insertSet = (h: string, createdAt = 'now()') => sql.query(
      `INSERT INTO parameter_sets (hash, catalog_version, values, catalog_snapshot, code_version, created_at)
       VALUES ($1, 1, '{"A":"1"}', '{}', '{}', ${createdAt})`, [h]);

    it('treats inserting an existing hash as a no-op, not an error', async () => {
      const first = await insertSet(hash);
      const second = await insertSet(hash);
      expect(first.rowCount).toBe(1);
      expect(second.rowCount).toBe(0);
      expect((await sql.query(`SELECT count(*)::int AS n FROM parameter_sets WHERE hash = $1`, [hash])).rows[0].n).toBe(1);
    });

    it('allows changes inside the 10-second grace window only', async () => {
      const fresh = 'b'.repeat(64);
      const frozen = 'c'.repeat(64);
      await insertSet(fresh);
      await insertSet(frozen, `now() - interval '11 seconds'`);
      await sql.query(`UPDATE parameter_sets SET factors = '{"x":1}' WHERE hash = $1`, [fresh]);
      await expect(sql.query(`UPDATE parameter_sets SET factors = '{"x":1}' WHERE hash = $1`, [frozen])).rejects.toThrow(/is immutable/);
      await expect(sql.query(`DELETE FROM parameter_sets WHERE hash = $1`, [frozen])).rejects.toThrow(/is immutable/);
      await expect(sql.query(`UPDATE parameter_sets SET created_at = now() WHERE hash = $1`, [fresh])).rejects.toThrow(/never change/);
    });

    it('requires every run to name an existing parameter set', async () => {
      // A legacy run (finished, unpinned) needs only its set; a pinned run is attacked in run-invariants.test.ts.
      const legacy = `INSERT INTO runs (id, kind, name, parameter_set_hash, legacy, status, ended_at, started_by) VALUES (gen_random_uuid(), 'BACKTEST', $1, $2, true, 'SUCCEEDED', now(), 'import')`;
      await expect(sql.query(`INSERT INTO runs (id, kind, name, legacy, status, ended_at, started_by) VALUES (gen_random_uuid(), 'BACKTEST', 'orphan', true, 'FAILED', now(), 'import')`)).rejects.toThrow(/null value in column "parameter_set_hash"/);
      await expect(sql.query(legacy, ['dangling', 'd'.repeat(64)])).rejects.toThrow(/foreign key/);
      await sql.query(legacy, ['bound', hash]);
    });

    it('refuses a hash that is not 64 hex characters', async () => {
      await expect(insertSet('Z'.repeat(64))).rejects.toThrow(/parameter_sets_hash_hex/);
    });
  });

  describe('change requests', () => {
    it('freezes a decided request and never deletes one', async () => {
      const env = await dev();
      const author = await admin();
      const { rows } = await sql.query<{ id: string }>(
        `INSERT INTO change_requests (id, environment_id, kind, base_version, reason, author_id, status)
         VALUES (gen_random_uuid(), $1, 'EDIT', $2, 'why', $3, 'REJECTED') RETURNING id`, [env.id, env.active_version, author]);
      await expect(sql.query(`UPDATE change_requests SET status = 'APPLIED' WHERE id = $1`, [rows[0]!.id])).rejects.toThrow(/can no longer change/);
      await expect(sql.query(`DELETE FROM change_requests WHERE id = $1`, [rows[0]!.id])).rejects.toThrow(/never deleted/);
    });
  });
});
