import pg from 'pg';
import { percentiles } from './percentiles.ts';

/**
 * The floor a save is held against: the minimal durable transaction a
 * one-parameter save needs, sent with plain `pg` to the same tables (so the
 * same triggers: the version's sequence check, the active pointer, the
 * NOTIFY) on a seeded environment of its own:
 *
 *   BEGIN; the caller's session and role (current privileges); the
 *   environment row FOR UPDATE; the open freeze window, if any; INSERT the
 *   version with every value (~22 KB); INSERT its change row; INSERT its
 *   audit row; COMMIT.
 *
 * `eightRoundTrips` sends them one by one (a round trip each, as a driver
 * does inside a transaction); `oneRoundTrip` sends the same statements as one
 * simple-protocol query string, the least any client can pay for them.
 */
export async function createSaveFloor({ connectionString, environment, parameter }: {
  connectionString: string;
  /** A seeded environment the floor writes versions to (not the one the saves use). */
  environment: string;
  /** The parameter whose value each floor transaction changes. */
  parameter: string;
}) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  const [env] = (await client.query<{ id: string; active_version: number }>(`SELECT id::text, active_version FROM environments WHERE name = $1`, [environment])).rows;
  if (!env) throw new Error(`no environment ${environment}`);
  const [user] = (await client.query<{ id: string }>(`SELECT id::text FROM users WHERE username = 'editor'`)).rows;
  // A live session of the editor, as a signed-in console holds.
  const [session] = (await client.query<{ token_hash: string }>(
    `INSERT INTO sessions (id, token_hash, csrf_token, user_id, expires_at) VALUES (gen_random_uuid(), 'floor-' || gen_random_uuid(), 'csrf', $1, now() + interval '1 hour') RETURNING token_hash`,
    [user!.id],
  )).rows;
  const [snapshot] = (await client.query<{ values: Record<string, string> }>(`SELECT "values" FROM config_versions WHERE environment_id = $1 AND version = $2`, [env.id, env.active_version])).rows;
  const values = { ...snapshot!.values };
  let version = env.active_version;

  // Each transaction flips the parameter between two values, like the saves.
  function next(i: number) {
    const before = values[parameter] ?? null;
    const after = String(10 + (i % 20));
    values[parameter] = after;
    version += 1;
    const details = JSON.stringify({ kind: 'EDIT', before, after });
    return { before, after, json: JSON.stringify(values), details, version };
  }

  const statements = {
    session: `SELECT u.id, u.role, u.disabled, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > now()`,
    lock: `SELECT id, active_version FROM environments WHERE name = $1 FOR UPDATE`,
    freeze: `SELECT id, ends_at, reason FROM freeze_windows WHERE environment_id = $1 AND cancelled_at IS NULL AND starts_at <= now() AND ends_at > now() ORDER BY ends_at DESC LIMIT 1`,
    version: `INSERT INTO config_versions (environment_id, version, kind, "values", reason, author_id) VALUES ($1, $2, 'EDIT', $3::jsonb, 'floor', $4) RETURNING id`,
    change: `INSERT INTO config_changes (version_id, parameter_name, before, after) VALUES ($1, $2, $3, $4)`,
    audit: `INSERT INTO audit_events (action, actor, environment_id, parameter_name, config_version, reason, details) VALUES ('config_change_saved', 'editor', $1, $2, $3, 'floor', $4::jsonb)`,
  };

  const literal = (value: string | null) => (value === null ? 'NULL' : client.escapeLiteral(value));
  // Parameters inlined as SQL text (a function replacer: values may contain `$`).
  const bind = (sql: string, parameters: string[]) => sql.replace(/\$(\d+)/g, (_, n: string) => parameters[Number(n) - 1]!);

  return {
    async eightRoundTrips(i: number): Promise<void> {
      const step = next(i);
      await client.query('BEGIN');
      try {
        await client.query(statements.session, [session!.token_hash]);
        await client.query(statements.lock, [environment]);
        await client.query(statements.freeze, [env.id]);
        const { rows: [row] } = await client.query<{ id: string }>(statements.version, [env.id, step.version, step.json, user!.id]);
        await client.query(statements.change, [row!.id, parameter, step.before, step.after]);
        await client.query(statements.audit, [env.id, parameter, step.version, step.details]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },

    async oneRoundTrip(i: number): Promise<void> {
      const step = next(i);
      // The change row needs the version's id: currval of its sequence, in the same session.
      const currentVersionId = `currval(pg_get_serial_sequence('config_versions', 'id'))`;
      await client.query([
        'BEGIN',
        bind(statements.session, [literal(session!.token_hash)]),
        bind(statements.lock, [literal(environment)]),
        bind(statements.freeze, [literal(env.id)]),
        bind(statements.version, [literal(env.id), String(step.version), literal(step.json), literal(user!.id)]),
        bind(statements.change, [currentVersionId, literal(parameter), literal(step.before), literal(step.after)]),
        bind(statements.audit, [literal(env.id), literal(parameter), String(step.version), literal(step.details)]),
        'COMMIT',
      ].join(';\n'));
    },

    /** Bytes of the values each version carries. */
    valuesBytes: () => Buffer.byteLength(JSON.stringify(values)),

    close: () => client.end(),
  };
}

export type SaveFloor = Awaited<ReturnType<typeof createSaveFloor>>;

/**
 * The save floor's p50/p99 in 8 round trips, for a figure held against it
 * (bench/save-to-apply.ts): `saves` transactions on `environment`, after a
 * warm-up, on the product's own tables and triggers.
 */
export async function measureSaveFloor(connectionString: string, { saves = 200, environment = 'staging', parameter = 'CVN_ATR_PERIOD' } = {}) {
  const floor = await createSaveFloor({ connectionString, environment, parameter });
  try {
    const samples: number[] = [];
    for (let i = 0; i < saves + 10; i += 1) {
      const start = performance.now();
      await floor.eightRoundTrips(i);
      if (i >= 10) samples.push(performance.now() - start);
    }
    return percentiles(samples);
  } finally {
    await floor.close();
  }
}
