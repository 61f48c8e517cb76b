import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The save in one statement (issue 15): the server validates against the
 * snapshot, catalog and rules it holds in memory, and ucp_save_config_version
 * refuses the write under the environment lock when any of them moved. These
 * tests move them behind its back: from a second server on the same
 * database, and from raw SQL holding the lock while a save waits for it.
 */
describe('a save in one statement', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ db: a.db });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } } }`;
  const save = (app: TestApp, expectedVersion: number, changes: Record<string, string>, environment = 'dev') =>
    app.gql(UPDATE, { input: { environment, expectedVersion, reason: 'one statement', changes: Object.entries(changes).map(([name, value]) => ({ name, value })) } }, 'editor');
  const active = async (environment = 'dev') =>
    (await a.sql.query<{ id: string; active_version: number }>(`SELECT id::text, active_version FROM environments WHERE name = $1`, [environment])).rows[0]!;
  const valuesAt = async (environmentId: string, version: number) =>
    (await a.sql.query<{ values: Record<string, string> }>(`SELECT "values" FROM config_versions WHERE environment_id = $1 AND version = $2`, [environmentId, version])).rows[0]!.values;

  it('writes the expected version\'s values with the changes laid over them, every one of them', async () => {
    const env = await active();
    const before = await valuesAt(env.id, env.active_version);
    const next = before.CVN_ATR_PERIOD === '17' ? '18' : '17';
    expect(expectData(await save(a, env.active_version, { CVN_ATR_PERIOD: next })).updateConfig.version.version).toBe(env.active_version + 1);
    expect(await valuesAt(env.id, env.active_version + 1)).toEqual({ ...before, CVN_ATR_PERIOD: next });
    const changes = (await a.sql.query(`SELECT c.parameter_name, c.before, c.after FROM config_changes c JOIN config_versions v ON v.id = c.version_id
      WHERE v.environment_id = $1 AND v.version = $2`, [env.id, env.active_version + 1])).rows;
    expect(changes).toEqual([{ parameter_name: 'CVN_ATR_PERIOD', before: before.CVN_ATR_PERIOD, after: next }]);
  });

  it('a save built on a version another server has moved past is a VERSION_CONFLICT; on the new one it keeps the other server\'s change', async () => {
    const start = (await active()).active_version;
    // A knows `start` (it holds its snapshot now); B moves the environment on.
    expectData(await save(a, start, { CVN_ATR_PERIOD: '21' }));
    expectData(await save(b, start + 1, { CVN_RSI_PERIOD: '15' }));
    const stale = await save(a, start + 1, { CVN_ATR_PERIOD: '22' });
    expect(errorCode(stale)).toBe('VERSION_CONFLICT');
    expect(stale.errors![0]!.extensions).toMatchObject({ currentVersion: start + 2, expectedVersion: start + 1 });
    expectData(await save(a, start + 2, { CVN_ATR_PERIOD: '22' }));
    const env = await active();
    expect(env.active_version).toBe(start + 3);
    expect(await valuesAt(env.id, start + 3)).toMatchObject({ CVN_ATR_PERIOD: '22', CVN_RSI_PERIOD: '15' });
  });

  it('a rule another server enabled binds this server\'s next save, though it validated against the rules before', async () => {
    expectData(await save(a, (await active()).active_version, { CVN_ATR_PERIOD: '23' }));
    const rule = await b.gql(`mutation($input: CreateRuleInput!) { createRule(input: $input) { name } }`, {
      input: { name: 'atr-under-150', expression: 'params.CVN_ATR_PERIOD < 150', message: 'Keep the ATR period under 150.', enabled: true, reason: 'one statement test' },
    });
    expectData(rule);
    const version = (await active()).active_version;
    const refused = await save(a, version, { CVN_ATR_PERIOD: '160' });
    expect(errorCode(refused)).toBe('VALIDATION_FAILED');
    expect(refused.errors![0]!.extensions!.violations).toEqual([expect.objectContaining({ code: 'RULE_FAILED', rule: 'atr-under-150' })]);
    expect((await active()).active_version).toBe(version);
    await a.sql.query(`UPDATE cross_parameter_rules SET enabled = false, revision = revision + 1 WHERE name = 'atr-under-150'`);
  });

  /** Holds the dev row as a freeze window or a rule change does, and lets go once a save is queued behind it. */
  async function whileASaveWaitsForTheLock(change: string, changeValues: unknown[], changes: Record<string, string>) {
    const env = await active();
    await a.sql.query('BEGIN');
    try {
      await a.sql.query(`SELECT 1 FROM environments WHERE id = $1 FOR UPDATE`, [env.id]);
      await a.sql.query(change, changeValues);
      const saving = save(a, env.active_version, changes);
      // Until the save's statement waits for this lock (no sleeps: ask the
      // server, on another connection: activity is a snapshot per transaction).
      for (;;) {
        const { rows } = await b.sql.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ucp_save_config_version%'`);
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await a.sql.query('COMMIT');
      return { response: await saving, version: env.active_version };
    } catch (error) {
      await a.sql.query('ROLLBACK');
      throw error;
    }
  }

  it('a freeze window committed by the lock\'s holder while the save waited for it refuses the save', async () => {
    // A knows the active version: its save goes straight to the statement.
    expectData(await save(a, (await active()).active_version, { CVN_ATR_PERIOD: '24' }));
    const env = await active();
    const admin = (await a.sql.query(`SELECT id FROM users WHERE username = 'admin'`)).rows[0].id;
    const { response, version } = await whileASaveWaitsForTheLock(
      `INSERT INTO freeze_windows (id, environment_id, starts_at, ends_at, reason, created_by_id) VALUES (gen_random_uuid(), $1, now() - interval '1 minute', now() + interval '1 hour', 'waited for', $2)`,
      [env.id, admin], { CVN_ATR_PERIOD: '25' });
    expect(errorCode(response)).toBe('FROZEN');
    expect(response.errors![0]!.extensions).toMatchObject({ environment: 'dev', reason: 'waited for' });
    expect((await active()).active_version).toBe(version);
    await a.sql.query(`UPDATE freeze_windows SET cancelled_at = now() WHERE reason = 'waited for'`);
  });

  it('a rule committed by the lock\'s holder while the save waited for it refuses the save', async () => {
    expectData(await save(a, (await active()).active_version, { CVN_ATR_PERIOD: '26' }));
    const { response, version } = await whileASaveWaitsForTheLock(
      `INSERT INTO cross_parameter_rules (id, name, expression, message, enabled) VALUES (gen_random_uuid(), 'atr-under-120', 'params.CVN_ATR_PERIOD < 120', 'Keep the ATR period under 120.', true)`,
      [], { CVN_ATR_PERIOD: '130' });
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    expect(response.errors![0]!.extensions!.violations).toEqual([expect.objectContaining({ code: 'RULE_FAILED', rule: 'atr-under-120' })]);
    expect((await active()).active_version).toBe(version);
    await a.sql.query(`UPDATE cross_parameter_rules SET enabled = false, revision = revision + 1 WHERE name = 'atr-under-120'`);
  });

  describe('ucp_save_config_version, called as the application', () => {
    const call = async (overrides: Partial<Record<'environment' | 'environmentId' | 'expected' | 'revision' | 'rules', unknown>> = {}) => {
      const env = await active('staging');
      const [{ revision, key }] = (await a.database.sql.query<{ revision: string; key: string }>(
        `SELECT (SELECT COALESCE(max(id), 0) FROM variable_catalog_history)::text AS revision, ucp_enabled_rules_key() AS key`)) as [{ revision: string; key: string }];
      const author = (await a.sql.query(`SELECT id::text FROM users WHERE username = 'editor'`)).rows[0].id;
      const args = {
        environment: 'staging', environmentId: env.id, expected: env.active_version, revision, rules: key, ...overrides,
      };
      const [row] = await a.database.sql.query<{ answer: string }>(
        `SELECT ucp_save_config_version($1, $2::uuid, $3::integer, $4::bigint, $5, $6::jsonb, $7::jsonb, $8::jsonb) AS answer`,
        [args.environment, args.environmentId, args.expected, args.revision, args.rules,
          JSON.stringify({ kind: 'EDIT', reason: 'called directly', authorId: author }),
          JSON.stringify([{ name: 'CVN_ATR_PERIOD', after: '27' }]),
          JSON.stringify([{ action: 'config_change_saved', actor: 'editor', parameterName: 'CVN_ATR_PERIOD', reason: 'called directly', details: { after: '27' } }])],
      );
      return { answer: JSON.parse(row!.answer), env };
    };

    it.each([
      ['an unknown environment', { environment: 'nowhere' }, { status: 'NOT_FOUND' }],
      ['another environment\'s id', { environmentId: '00000000-0000-0000-0000-000000000000' }, { status: 'STALE' }],
      ['a catalog revision that has moved', { revision: '1' }, { status: 'STALE' }],
      ['rules that have changed', { rules: 'not-the-key' }, { status: 'STALE' }],
    ])('refuses %s and writes nothing', async (_what, overrides, expected) => {
      const versions = (await a.sql.query(`SELECT count(*)::int AS n FROM config_versions`)).rows[0].n;
      const { answer } = await call(overrides);
      expect(answer).toEqual(expected);
      expect((await a.sql.query(`SELECT count(*)::int AS n FROM config_versions`)).rows[0].n).toBe(versions);
    });

    it('refuses a stale expected version with the current one', async () => {
      const env = await active('staging');
      expect((await call({ expected: env.active_version - 1 })).answer).toEqual({ status: 'VERSION_CONFLICT', currentVersion: env.active_version });
    });

    it('applies otherwise: one version, its change and its audit row, the active pointer moved', async () => {
      const { answer, env } = await call();
      expect(answer).toMatchObject({ status: 'APPLIED', id: expect.any(String) });
      expect((await active('staging')).active_version).toBe(env.active_version + 1);
      const before = await valuesAt(env.id, env.active_version);
      expect(await valuesAt(env.id, env.active_version + 1)).toEqual({ ...before, CVN_ATR_PERIOD: '27' });
      const audit = (await a.sql.query(`SELECT action, parameter_name, config_version FROM audit_events WHERE reason = 'called directly'`)).rows;
      expect(audit).toEqual([{ action: 'config_change_saved', parameter_name: 'CVN_ATR_PERIOD', config_version: env.active_version + 1 }]);
    });
  });
});
