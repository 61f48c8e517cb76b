import pg from 'pg';
import { percentiles } from './percentiles.ts';

/**
 * The save's floor: the minimal durable transaction a save needs, with plain
 * `pg` in as many round trips as its statements (BEGIN, lock the environment
 * row, insert the version with a full set of values, a change row, an audit
 * row, NOTIFY, COMMIT), on scratch tables of the same shape in the same
 * database, so the save-to-apply figure can be held against it.
 */
export async function measureSaveFloor(connectionString: string, values: Record<string, string>, saves = 200) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`
      CREATE TABLE IF NOT EXISTS bench_floor_environments (id int PRIMARY KEY, active_version int NOT NULL);
      CREATE TABLE IF NOT EXISTS bench_floor_versions (environment_id int, version int, "values" jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (environment_id, version));
      CREATE TABLE IF NOT EXISTS bench_floor_changes (environment_id int, version int, name text, before text, after text);
      CREATE TABLE IF NOT EXISTS bench_floor_audit (id bigserial PRIMARY KEY, action text, details jsonb);
      INSERT INTO bench_floor_environments VALUES (1, 0) ON CONFLICT DO NOTHING;`);
    const json = JSON.stringify(values);
    const samples: number[] = [];
    for (let i = 0; i < saves + 10; i += 1) {
      const start = performance.now();
      await client.query('BEGIN');
      const { rows } = await client.query<{ active_version: number }>('SELECT active_version FROM bench_floor_environments WHERE id = 1 FOR UPDATE');
      const version = rows[0]!.active_version + 1;
      await client.query('INSERT INTO bench_floor_versions (environment_id, version, "values") VALUES (1, $1, $2::jsonb)', [version, json]);
      await client.query('INSERT INTO bench_floor_changes VALUES (1, $1, $2, $3, $4)', [version, 'P', '0.56', '0.57']);
      await client.query('INSERT INTO bench_floor_audit (action, details) VALUES ($1, $2::jsonb)', ['CONFIG_UPDATED', JSON.stringify({ version })]);
      await client.query('UPDATE bench_floor_environments SET active_version = $1 WHERE id = 1', [version]);
      await client.query(`SELECT pg_notify('ucp_bench_floor_saved', $1)`, [String(version)]);
      await client.query('COMMIT');
      if (i >= 10) samples.push(performance.now() - start);
    }
    return percentiles(samples);
  } finally {
    await client.end();
  }
}
