import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/**
 * Issue 9: what raw SQL as the application's own database user got past.
 * Each attack runs as the role the server runs as (a member of ucp_app, see
 * prisma/migrations/*_application_role) and must be refused, leaving the
 * data as it was; where a missing privilege is what stops the application
 * role, the same statement is also tried as the owner, so the guard itself,
 * not only the role, is shown to hold. database-invariants.test.ts keeps
 * attacking the older invariants as the owner.
 */
describe('the application role cannot get past the invariants (raw SQL)', () => {
  let db: TestDatabase;
  /** The application role, as the server connects (DATABASE_URL). */
  let app: pg.Client;
  /** The tables' owner, as the migrations connect (MIGRATION_DATABASE_URL). */
  let owner: pg.Client;
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await connect(db.appUrl);
    owner = await connect(db.url);
  });
  afterAll(async () => {
    await app?.end();
    await owner?.end();
    await db?.drop();
  });

  const one = async <T extends Record<string, any>>(client: pg.Client, text: string, values: unknown[] = []) => (await client.query<T>(text, values)).rows[0]!;
  const count = async (table: string, where = 'true', values: unknown[] = []) =>
    (await one<{ n: number }>(owner, `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values)).n;
  const dev = () => one<{ id: string; active_version: number }>(owner, `SELECT id, active_version FROM environments WHERE name = 'dev'`);
  const adminId = () => one<{ id: string }>(owner, `SELECT id FROM users WHERE username = 'admin'`).then((r) => r.id);
  const newHash = () => randomBytes(32).toString('hex');
  /** A parameter set inserted as the application; `createdAt` is SQL (an earlier time freezes it at once). */
  const insertSet = async (hash: string, createdAt?: string, client = app) => {
    await client.query(
      `INSERT INTO parameter_sets (hash, catalog_version, "values", catalog_snapshot, code_version${createdAt ? ', created_at' : ''})
       VALUES ($1, 1, '{"CVN_ATR_PERIOD":"14"}', '{}', '{"git":"test"}'${createdAt ? `, ${createdAt}` : ''})`, [hash]);
    return hash;
  };
  /** A set frozen from dev@1 (its exact values), as a run must be pinned to the version its set holds. */
  const insertPinnedSet = async (hash: string) => {
    await app.query(
      `INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, code_version)
       SELECT $1, environment_id, version, 1, values, '{}', '{"git":"test"}' FROM config_versions v JOIN environments e ON e.id = v.environment_id
       WHERE e.name = 'dev' AND v.version = 1`, [hash]);
    return hash;
  };
  /** A run on a set of insertPinnedSet, pinned to dev@1. */
  const insertRun = async (hash: string) =>
    (await one<{ id: string }>(app, `INSERT INTO runs (id, kind, name, parameter_set_hash, environment_id, config_version, started_by)
       SELECT gen_random_uuid(), 'BACKTEST', 'bt', $1, id, 1, 'psql' FROM environments WHERE name = 'dev' RETURNING id`, [hash])).id;
  const runRow = (id: string) => one(owner, `SELECT status, ended_at, parameter_set_hash, name, metadata FROM runs WHERE id = $1`, [id]);

  describe('the role owns nothing and cannot switch the guards off', () => {
    it('is not a superuser and owns no table', async () => {
      const role = await one<{ user: string; superuser: boolean; member: boolean; owned: number }>(app, `
        SELECT current_user::text AS user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
               pg_has_role(current_user, 'ucp_app', 'USAGE') AS member,
               (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND pg_has_role(current_user, tableowner, 'MEMBER')) AS owned`);
      expect(role).toEqual({ user: 'ucp_app_test', superuser: false, member: true, owned: 0 });
    });

    it('holds exactly the privileges the server uses: no TRUNCATE, TRIGGER or REFERENCES, DELETE only on sessions and draft items', async () => {
      // Every table of the schema is listed, so a new table fails here until
      // its migration decides what the application may do to it.
      const { rows } = await app.query<{ table: string; privileges: string }>(`
        SELECT c.relname AS table,
               array_to_string(ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
                                     WHERE has_table_privilege(c.oid, p) ORDER BY p), ', ') AS privileges
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`);
      expect(Object.fromEntries(rows.map((r) => [r.table, r.privileges]))).toEqual({
        _prisma_migrations: 'SELECT',
        audit_events: 'INSERT, SELECT',
        change_request_items: 'DELETE, INSERT, SELECT',
        change_requests: 'INSERT, SELECT, UPDATE',
        config_changes: 'INSERT, SELECT',
        config_versions: 'INSERT, SELECT',
        cross_parameter_rules: 'INSERT, SELECT, UPDATE',
        environments: 'SELECT, UPDATE',
        freeze_windows: 'INSERT, SELECT, UPDATE',
        // Written by the legacy import as the owner (IMPORT versions need a row here); the server reads it.
        legacy_imports: 'SELECT',
        parameter_set_entries: 'INSERT, SELECT',
        parameter_set_freezes: 'INSERT, SELECT',
        parameter_sets: 'INSERT, SELECT',
        run_epochs: 'INSERT, SELECT',
        runs: 'INSERT, SELECT, UPDATE',
        service_tokens: 'INSERT, SELECT, UPDATE',
        sessions: 'DELETE, INSERT, SELECT',
        // Not history: failures are reset, and idle rows pruned (server/auth/sign-in-throttle.ts).
        sign_in_throttles: 'DELETE, INSERT, SELECT, UPDATE',
        users: 'INSERT, SELECT, UPDATE',
        variable_catalog: 'INSERT, SELECT, UPDATE',
        variable_catalog_history: 'INSERT, SELECT',
        worker_applies: 'INSERT, SELECT',
        workers: 'INSERT, SELECT, UPDATE',
      });
    });

    it.each([
      ['SET session_replication_role = replica', /permission denied to set parameter "session_replication_role"/],
      ['ALTER TABLE config_versions DISABLE TRIGGER config_versions_append_only', /must be owner of table config_versions/],
      ['ALTER TABLE parameter_sets DISABLE TRIGGER ALL', /must be owner of table parameter_sets/],
      ['DROP TRIGGER worker_applies_append_only ON worker_applies', /must be owner of (table|relation) worker_applies/],
      ['CREATE TRIGGER sneaky BEFORE INSERT ON config_versions FOR EACH ROW EXECUTE FUNCTION ucp_forbid_delete()', /permission denied for table config_versions/],
      ['CREATE TABLE scratch (x int)', /permission denied for schema public/],
      ['CREATE SCHEMA scratch', /permission denied for database/],
      ['CREATE OR REPLACE FUNCTION ucp_forbid_mutation() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$', /permission denied for schema public|must be owner of function/],
      ['TRUNCATE worker_applies', /permission denied for table worker_applies/],
      ['TRUNCATE sessions', /permission denied for table sessions/],
      ['SET ROLE postgres', /permission denied to set role "postgres"/],
    ])('refuses %s', async (statement, refusal) => {
      await expect(app.query(statement)).rejects.toThrow(refusal);
    });

    it('every guard function resolves table names in public, not in a temporary schema', async () => {
      const { rows } = await app.query<{ name: string; config: string[] | null }>(`
        SELECT p.proname AS name, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proname LIKE 'ucp\\_%' ORDER BY 1`);
      expect(rows.length).toBeGreaterThan(15);
      expect(rows.filter((r) => !r.config?.includes('search_path=public, pg_temp')).map((r) => r.name)).toEqual([]);
    });
  });

  describe('TRUNCATE', () => {
    it('TRUNCATE worker_applies is refused, as the application and as the owner', async () => {
      const env = await dev();
      const { id: worker } = await one<{ id: string }>(app,
        `INSERT INTO workers (id, name, mode, environment_id) VALUES (gen_random_uuid(), 'truncate-target', 'PAPER', $1) RETURNING id`, [env.id]);
      await app.query(`INSERT INTO worker_applies (worker_id, version, received_at, applied_at) VALUES ($1, $2, now(), now())`, [worker, env.active_version]);
      const before = await count('worker_applies');
      expect(before).toBeGreaterThan(0);
      await expect(app.query('TRUNCATE worker_applies')).rejects.toThrow(/permission denied/);
      await expect(owner.query('TRUNCATE worker_applies')).rejects.toThrow(/worker_applies is append-only: TRUNCATE is not allowed/);
      expect(await count('worker_applies')).toBe(before);
    });

    it('TRUNCATE parameter_sets CASCADE is refused and empties neither the sets, their entries nor the runs', async () => {
      const hash = await insertPinnedSet(newHash());
      await app.query(`INSERT INTO parameter_set_entries (parameter_set_hash, parameter_name, value) VALUES ($1, 'CVN_ATR_PERIOD', '14')`, [hash]);
      await insertRun(hash);
      const before = [await count('parameter_sets'), await count('parameter_set_entries'), await count('runs')];
      await expect(app.query('TRUNCATE parameter_sets CASCADE')).rejects.toThrow(/permission denied/);
      await expect(owner.query('TRUNCATE parameter_sets CASCADE')).rejects.toThrow(/cannot be truncated/);
      expect([await count('parameter_sets'), await count('parameter_set_entries'), await count('runs')]).toEqual(before);
    });

    it.each([
      'parameter_sets', 'parameter_set_entries', 'runs', 'run_epochs', 'worker_applies', 'workers', 'environments', 'variable_catalog',
      'cross_parameter_rules', 'change_requests', 'change_request_items', 'freeze_windows', 'service_tokens', 'users',
    ])('the owner cannot TRUNCATE %s CASCADE either', async (table) => {
      await expect(owner.query(`TRUNCATE ${table} CASCADE`)).rejects.toThrow(/cannot be truncated|is append-only/);
    });
  });

  describe('config versions and the active pointer', () => {
    const insertVersion = (client: pg.Client, suffix: string, values: unknown[]) => client.query(
      `INSERT INTO config_versions (id, environment_id, version, kind, values, reason, author_id)
       VALUES ($1, $2, $3, 'EDIT', '{}', 'raw', $4) ${suffix}`, values);

    it('an INSERT ... ON CONFLICT DO NOTHING that inserts nothing leaves the active version where it was', async () => {
      const env = await dev();
      const taken = await one<{ id: string }>(owner, `SELECT id::text FROM config_versions WHERE environment_id = $1 AND version = $2`, [env.id, env.active_version]);
      const nothing = await insertVersion(app, 'ON CONFLICT (id) DO NOTHING', [taken.id, env.id, env.active_version + 1, await adminId()]);
      expect(nothing.rowCount).toBe(0);
      expect((await dev()).active_version).toBe(env.active_version);
      const nothingEither = await insertVersion(app, 'ON CONFLICT DO NOTHING', [taken.id, env.id, env.active_version + 1, await adminId()]);
      expect(nothingEither.rowCount).toBe(0);
      expect((await dev()).active_version).toBe(env.active_version);
      // The environment still works: the next version is still N+1, and moves the pointer.
      const next = await insertVersion(app, 'RETURNING version', [String(9_000_000_000 + Math.floor(Math.random() * 1e6)), env.id, env.active_version + 1, await adminId()]);
      expect(next.rows[0].version).toBe(env.active_version + 1);
      expect((await dev()).active_version).toBe(env.active_version + 1);
    });

    it('a temporary table named environments does not fool the sequence check', async () => {
      const env = await dev();
      const versions = await count('config_versions', 'environment_id = $1', [env.id]);
      await app.query(`CREATE TEMP TABLE environments (id uuid, name text, active_version int)`);
      try {
        await app.query(`INSERT INTO pg_temp.environments VALUES ($1, 'dev', 41)`, [env.id]);
        await expect(insertVersion(app, '', [String(8_000_000_000 + Math.floor(Math.random() * 1e6)), env.id, 42, await adminId()]))
          .rejects.toThrow(/out of sequence: the next version is/);
      } finally {
        await app.query(`DROP TABLE pg_temp.environments`);
      }
      expect(await count('config_versions', 'environment_id = $1', [env.id])).toBe(versions);
      expect((await dev()).active_version).toBe(env.active_version);
    });

    it('a trigger on a temporary table cannot move the active version', async () => {
      const env = await dev();
      await app.query(`CREATE FUNCTION pg_temp.move_pointer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN UPDATE public.environments SET active_version = 99 WHERE name = 'dev'; RETURN NULL; END $$`);
      await app.query(`CREATE TEMP TABLE poke (x int)`);
      await app.query(`CREATE TRIGGER poke AFTER INSERT ON pg_temp.poke FOR EACH ROW EXECUTE FUNCTION pg_temp.move_pointer()`);
      await expect(app.query(`INSERT INTO pg_temp.poke VALUES (1)`)).rejects.toThrow(/moves only by inserting a config version/);
      expect((await dev()).active_version).toBe(env.active_version);
    });
  });

  describe('parameter sets', () => {
    it('refuses a new entry in a frozen set, however it is inserted', async () => {
      const frozen = await insertSet(newHash(), `now() - interval '11 seconds'`);
      const open = await insertSet(newHash());
      await app.query(`INSERT INTO parameter_set_entries (parameter_set_hash, parameter_name, value) VALUES ($1, 'CVN_ATR_PERIOD', '14')`, [open]);
      await expect(app.query(`INSERT INTO parameter_set_entries (parameter_set_hash, parameter_name, value) VALUES ($1, 'CVN_ATR_PERIOD', '99')`, [frozen]))
        .rejects.toThrow(/is immutable \(frozen 10 seconds after creation\)/);
      await expect(app.query(`INSERT INTO parameter_set_entries (parameter_set_hash, parameter_name, value) VALUES ($1, 'CVN_ATR_PERIOD', '99') ON CONFLICT DO NOTHING`, [frozen]))
        .rejects.toThrow(/is immutable/);
      // Nor moved in from a set still open (the application may not update entries at all).
      await expect(app.query(`UPDATE parameter_set_entries SET parameter_set_hash = $1 WHERE parameter_set_hash = $2`, [frozen, open]))
        .rejects.toThrow(/permission denied/);
      await expect(owner.query(`UPDATE parameter_set_entries SET parameter_set_hash = $1 WHERE parameter_set_hash = $2`, [frozen, open]))
        .rejects.toThrow(/is immutable/);
      expect(await count('parameter_set_entries', 'parameter_set_hash = $1', [frozen])).toBe(0);
      expect(await count('parameter_set_entries', 'parameter_set_hash = $1', [open])).toBe(1);
    });

    it('takes the creation time from the server clock: created_at = 2099-01-01 does not keep a set editable', async () => {
      const hash = await insertSet(newHash(), `'2099-01-01'`);
      const { future } = await one<{ future: boolean }>(owner, `SELECT created_at > clock_timestamp() AS future FROM parameter_sets WHERE hash = $1`, [hash]);
      expect(future).toBe(false);
      // Nor later (the application may not update sets at all).
      await expect(app.query(`UPDATE parameter_sets SET created_at = '2099-01-01' WHERE hash = $1`, [hash])).rejects.toThrow(/permission denied/);
      await expect(owner.query(`UPDATE parameter_sets SET created_at = '2099-01-01' WHERE hash = $1`, [hash])).rejects.toThrow(/never change/);
    });

    // The application may not update or delete sets at all (no privilege);
    // the owner may, within the window, so it shows the clock check itself.
    it.each([
      ['the application', () => db.appUrl, /is immutable|permission denied/],
      ['the owner', () => db.url, /is immutable/],
    ])('freezes by the clock, not by the start of the transaction asking (as %s)', async (_who, url, refusal) => {
      // A transaction begins; a set is created 9 s before that start by the
      // clock; a little over a second later, more than 10 s after the set's
      // creation, the transaction changes it. By its now() the set is only
      // 9 s old; by the clock it is frozen.
      const late = await connect(url());
      try {
        await late.query('BEGIN');
        const { started } = await one<{ started: string }>(late, `SELECT now()::text AS started`);
        const hash = await insertSet(newHash(), `'${started}'::timestamptz - interval '9 seconds'`);
        await app.query(`INSERT INTO parameter_set_entries (parameter_set_hash, parameter_name, value) VALUES ($1, 'CVN_ATR_PERIOD', '14')`, [hash]);
        await late.query(`SELECT pg_sleep(extract(epoch FROM $1::timestamptz + interval '1.05 seconds' - clock_timestamp())::float8)`, [started]);
        for (const attack of [
          `UPDATE parameter_sets SET factors = '{"tampered":true}' WHERE hash = $1`,
          `DELETE FROM parameter_sets WHERE hash = $1`,
          `UPDATE parameter_set_entries SET value = '99' WHERE parameter_set_hash = $1`,
          `DELETE FROM parameter_set_entries WHERE parameter_set_hash = $1`,
          `INSERT INTO parameter_set_entries (parameter_set_hash, parameter_name, value) VALUES ($1, 'CVN_ENRICHMENT_PAUSE', 'false')`,
        ]) {
          await late.query('SAVEPOINT attack');
          await expect(late.query(attack, [hash]), attack).rejects.toThrow(refusal);
          await late.query('ROLLBACK TO SAVEPOINT attack');
        }
        await late.query('ROLLBACK');
        expect(await one(owner, `SELECT factors FROM parameter_sets WHERE hash = $1`, [hash])).toEqual({ factors: {} });
        expect((await owner.query(`SELECT parameter_name, value FROM parameter_set_entries WHERE parameter_set_hash = $1`, [hash])).rows)
          .toEqual([{ parameter_name: 'CVN_ATR_PERIOD', value: '14' }]);
      } finally {
        await late.end();
      }
    });
  });

  describe('runs', () => {
    it('a run keeps the parameter set it was registered with', async () => {
      const first = await insertPinnedSet(newHash());
      const other = await insertSet(newHash());
      const run = await insertRun(first);
      await expect(app.query(`UPDATE runs SET parameter_set_hash = $1 WHERE id = $2`, [other, run])).rejects.toThrow(/ran under parameter set .*never changes/);
      expect((await runRow(run)).parameter_set_hash).toBe(first);
    });

    it('a finished run keeps its status and outcome; a running one never goes back to PENDING', async () => {
      const hash = await insertPinnedSet(newHash());
      const run = await insertRun(hash);
      // The legal path, as the API walks it.
      await app.query(`UPDATE runs SET status = 'RUNNING' WHERE id = $1`, [run]);
      await expect(app.query(`UPDATE runs SET status = 'PENDING' WHERE id = $1`, [run])).rejects.toThrow(/already running/);
      await app.query(`UPDATE runs SET status = 'SUCCEEDED', ended_at = now(), metadata = '{"sharpe":1.2}' WHERE id = $1`, [run]);
      const finished = await runRow(run);
      for (const attack of [
        `UPDATE runs SET status = 'FAILED' WHERE id = $1`,
        `UPDATE runs SET status = 'RUNNING', ended_at = NULL WHERE id = $1`,
        `UPDATE runs SET ended_at = ended_at + interval '1 hour' WHERE id = $1`,
        `UPDATE runs SET metadata = '{"sharpe":3.5}' WHERE id = $1`,
      ]) {
        await expect(app.query(attack, [run]), attack).rejects.toThrow(/already ended as SUCCEEDED/);
      }
      await expect(app.query(`DELETE FROM runs WHERE id = $1`, [run])).rejects.toThrow(/permission denied/);
      await expect(owner.query(`DELETE FROM runs WHERE id = $1`, [run])).rejects.toThrow(/runs are never deleted/);
      expect(await runRow(run)).toEqual(finished);
    });

    it('only an ended run has an end time, never before its start', async () => {
      const hash = await insertPinnedSet(newHash());
      const run = await insertRun(hash);
      await expect(app.query(`UPDATE runs SET ended_at = now() WHERE id = $1`, [run])).rejects.toThrow(/has not ended/);
      await expect(app.query(`UPDATE runs SET status = 'FAILED' WHERE id = $1`, [run])).rejects.toThrow(/needs an end time/);
      await expect(app.query(`UPDATE runs SET status = 'FAILED', ended_at = started_at - interval '1 second' WHERE id = $1`, [run])).rejects.toThrow(/cannot end before it started/);
      expect((await runRow(run)).status).toBe('PENDING');
    });
  });
});
