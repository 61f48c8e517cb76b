import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;

/**
 * The dashboard's lag fields and the ucp_workers_lagging gauge read the same
 * rows and must call the same workers lagging (the rule is
 * server/features/workers/lag-rule.ts). One worker per case, on real rows.
 */
describe('worker lag: fields and gauge agree', () => {
  let t: TestApp;
  let active: number;

  const laggingGauge = async (environment: string) => {
    const text = await t.scrape();
    return Number(new RegExp(`ucp_workers_lagging\\{environment="${environment}"\\} (\\d+)`).exec(text)?.[1]);
  };

  /** Sets what a worker applied and its status directly: the rows, not the report path, are under test here. */
  const setWorker = (name: string, appliedVersion: number | null, status = 'READY') =>
    t.sql.query(`UPDATE workers SET applied_version = $2, received_version = $2, status = $3 WHERE name = $1`, [name, appliedVersion, status]);

  beforeAll(async () => {
    t = await startTestApp();
    const token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "lag-probe" }) { token } }`)).createServiceToken.token;
    for (const name of ['current', 'one-behind', 'one-behind-long', 'four-behind', 'starting', 'stopped']) {
      expectData(await t.gql(`mutation ($name: String!) { registerWorker(input: { name: $name, mode: PAPER, consumes: [] }) { id } }`, { name }, { token }));
    }
    active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    for (let i = 0; i < 4; i += 1) {
      active = expectData(await t.gql(UPDATE, {
        input: { environment: 'dev', expectedVersion: active, reason: `lag ${i}`, changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: i % 2 ? '0.63' : '0.64' }] },
      }, 'editor')).updateConfig.version.version;
    }
    // Versions are append-only (a trigger refuses updates); replica mode skips
    // user triggers for this session so one version can look two minutes old.
    await t.sql.query(`SET session_replication_role = replica`);
    await t.sql.query(
      `UPDATE config_versions SET created_at = now() - interval '2 minutes' WHERE version = $1 AND environment_id = (SELECT id FROM environments WHERE name = 'dev')`,
      [active - 1],
    );
    await t.sql.query(`SET session_replication_role = origin`);
    await setWorker('current', active);
    await setWorker('one-behind', active - 1);
    await setWorker('one-behind-long', active - 2);
    await setWorker('four-behind', active - 4);
    await setWorker('starting', null);
    await setWorker('stopped', active - 4, 'STOPPED');
  });
  afterAll(() => t.close());

  it('calls the same workers lagging in the fields and in the gauge', async () => {
    const workers: { name: string; status: string; lagVersions: number | null; lagSeconds: number | null; lagging: boolean }[] =
      expectData(await t.gql(`{ workers(environment: "dev") { name status lagVersions lagSeconds lagging } }`, {}, 'viewer')).workers;
    const byName = Object.fromEntries(workers.map((w) => [w.name, w]));
    expect(byName.current).toMatchObject({ lagVersions: 0, lagSeconds: 0, lagging: false });
    expect(byName['one-behind']).toMatchObject({ lagVersions: 1, lagging: false });
    expect(byName['one-behind']!.lagSeconds).toBeLessThan(60);
    expect(byName['one-behind-long']).toMatchObject({ lagVersions: 2, lagging: true });
    expect(byName['one-behind-long']!.lagSeconds).toBeGreaterThan(60);
    expect(byName['four-behind']).toMatchObject({ lagVersions: 4, lagging: true });
    expect(byName.starting).toMatchObject({ lagVersions: null, lagSeconds: null, lagging: false });
    expect(byName.stopped).toMatchObject({ lagVersions: 4, lagging: true });

    // The gauge counts the running workers the fields call lagging (a stopped one alerts nobody).
    const running = workers.filter((w) => w.status !== 'STOPPED' && w.lagging).length;
    expect(running).toBe(2);
    expect(await laggingGauge('dev')).toBe(running);
    expect(await laggingGauge('prod')).toBe(0);
  });
});
