import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;

describe('concurrent writers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('50 parallel writes on one expected version: exactly one wins, 49 get VERSION_CONFLICT, versions stay gap-free', async () => {
    const base = expectData(await t.gql(`{ environment(name: "staging") { activeVersion } }`)).environment.activeVersion;
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => t.gql(UPDATE, {
      input: { environment: 'staging', expectedVersion: base, reason: `writer ${i}`, changes: [{ name: 'CVN_ATR_PERIOD', value: String(10 + (i % 30)) }] },
    }, 'editor')));
    const winners = responses.filter((r) => !r.errors);
    const losers = responses.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.data!.updateConfig.version.version).toBe(base + 1);
    expect(losers.map(errorCode)).toEqual(Array(49).fill('VERSION_CONFLICT'));
    for (const loser of losers) expect(loser.errors![0]!.extensions!.currentVersion).toBeGreaterThanOrEqual(base);

    // Writers that each re-read before writing all get through, one version each.
    const serial = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const current = expectData(await t.gql(`{ environment(name: "staging") { activeVersion } }`)).environment.activeVersion;
        const response = await t.gql(UPDATE, {
          input: { environment: 'staging', expectedVersion: current, reason: `retrying writer ${i}`, changes: [{ name: 'CVN_SLIPPAGE_BPS', value: `${i + 1}.5` }] },
        }, 'editor');
        if (!response.errors) return response.data!.updateConfig.version.version as number;
        if (errorCode(response) !== 'VERSION_CONFLICT' && errorCode(response) !== 'VALIDATION_FAILED') throw new Error(JSON.stringify(response.errors));
        if (errorCode(response) === 'VALIDATION_FAILED') return null; // same value as the active one: nothing to save
      }
      throw new Error('writer starved');
    }));
    const applied = serial.filter((v): v is number => v !== null).sort((a, b) => a - b);
    expect(new Set(applied).size).toBe(applied.length);

    const sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    try {
      const { rows } = await sql.query<{ version: number }>(`SELECT version FROM config_versions v JOIN environments e ON e.id = v.environment_id WHERE e.name = 'staging' ORDER BY version`);
      const versions = rows.map((r) => r.version);
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      const { rows: [env] } = await sql.query(`SELECT active_version FROM environments WHERE name = 'staging'`);
      expect(env.active_version).toBe(versions.length);
    } finally {
      await sql.end();
    }
  });
});
