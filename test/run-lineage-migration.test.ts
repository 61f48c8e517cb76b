import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseBeforeMigration, type DatabaseBeforeMigration } from './support/database-before-migration.ts';

const lineageMigration = '20261202020000_run_lineage';

/**
 * The run-lineage migration on a database that already holds runs: each
 * takes the environment version of its set where that version exists, or is
 * flagged legacy; who started it comes from its user or its audit row.
 */
describe(`migration ${lineageMigration} over existing runs`, () => {
  let db: DatabaseBeforeMigration;
  let sql: pg.Client;
  const ids = { byUser: '', byToken: '', unpinnable: '' };

  beforeAll(async () => {
    db = await databaseBeforeMigration(lineageMigration);
    sql = db.sql;

    // The state before: a user, an environment with a version, two sets (one
    // from that version, one hand-made without provenance) and three runs.
    const user = (await sql.query(`INSERT INTO users (id, username, display_name, password_hash, role) VALUES (gen_random_uuid(), 'ops', 'Ops', 'x', 'EDITOR') RETURNING id`)).rows[0].id;
    const env = (await sql.query(`INSERT INTO environments (id, name) VALUES (gen_random_uuid(), 'dev') RETURNING id`)).rows[0].id;
    await sql.query(`INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id) VALUES ($1, 1, 'SEED', '{"A":"1"}', 'seed', $2)`, [env, user]);
    await sql.query(`INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, code_version) VALUES ($1, $2, 1, 1, '{"A":"1"}', '{}', '{"git":"abc"}')`, ['1'.repeat(64), env]);
    await sql.query(`INSERT INTO parameter_sets (hash, catalog_version, "values", catalog_snapshot, code_version) VALUES ($1, 1, '{"A":"2"}', '{}', '{"git":"old"}')`, ['2'.repeat(64)]);
    const run = async (set: string, createdBy: string | null) =>
      (await sql.query(`INSERT INTO runs (id, kind, name, parameter_set_hash, created_by_id) VALUES (gen_random_uuid(), 'EXPERIMENT', 'r', $1, $2) RETURNING id`, [set, createdBy])).rows[0].id as string;
    ids.byUser = await run('1'.repeat(64), user);
    ids.byToken = await run('1'.repeat(64), null);
    ids.unpinnable = await run('2'.repeat(64), null);
    await sql.query(`INSERT INTO audit_events (action, actor, subject_id) VALUES ('run_registered', 'token:orchestrator', $1)`, [ids.byToken]);

    await db.migrate();
  });
  afterAll(() => db.drop());

  const row = async (id: string) =>
    (await sql.query(`SELECT config_version, environment_id IS NOT NULL AS has_env, legacy, started_by FROM runs WHERE id = $1`, [id])).rows[0];

  it('pins each run to the version its set was frozen from, when that version exists', async () => {
    expect(await row(ids.byUser)).toEqual({ config_version: 1, has_env: true, legacy: false, started_by: 'ops' });
    expect(await row(ids.byToken)).toMatchObject({ config_version: 1, legacy: false, started_by: 'token:orchestrator' });
  });

  it('flags a run it cannot pin as legacy', async () => {
    expect(await row(ids.unpinnable)).toEqual({ config_version: null, has_env: false, legacy: true, started_by: 'unknown' });
  });

  it('enforces the invariants on the migrated rows from then on', async () => {
    await expect(sql.query(`UPDATE runs SET config_version = NULL WHERE id = $1`, [ids.byUser])).rejects.toThrow(/is pinned/);
    await sql.query(`UPDATE runs SET status = 'SUCCEEDED', ended_at = now() WHERE id = $1`, [ids.unpinnable]);
    await expect(sql.query(`UPDATE runs SET status = 'FAILED' WHERE id = $1`, [ids.unpinnable])).rejects.toThrow(/already ended as SUCCEEDED/);
  });
});
