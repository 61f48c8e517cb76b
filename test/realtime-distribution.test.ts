import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { subscribeSse, subscribeWs, type Subscription } from './support/subscription-clients.ts';

const CONFIG_CHANGED = `subscription($env: String!) { configChanged(environment: $env) { environment version kind changedKeys author } }`;
const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;

interface Event { environment: string; version: number; changedKeys: string[] }

describe('real-time distribution: NOTIFY → LISTEN bridge → graphql-ws and SSE', () => {
  let t: TestApp;
  let ws: Subscription<Event>;
  let sse: Subscription<Event>;
  let version: number;
  let tick = 0;

  /** One committed write on dev; alternates values so every write changes something. */
  async function write(): Promise<number> {
    tick += 1;
    const response = await t.gql(UPDATE, {
      input: { environment: 'dev', expectedVersion: version, reason: `burst ${tick}`, changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: tick % 2 ? '0.61' : '0.62' }] },
    }, 'editor');
    version = expectData(response).updateConfig.version.version;
    return version;
  }

  const pick = (data: any): Event => data.configChanged;

  beforeAll(async () => {
    t = await startTestApp();
    version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    ws = subscribeWs(t.url, CONFIG_CHANGED, { env: 'dev' }, pick);
    sse = subscribeSse(t.url, CONFIG_CHANGED, { env: 'dev' }, pick);
    // Neither protocol acknowledges a subscription: a first write that both
    // receive proves both are live before the assertions start.
    const probe = await write();
    expect((await ws.take(1))[0]!.version).toBe(probe);
    expect((await sse.take(1))[0]!.version).toBe(probe);
  });
  afterAll(async () => {
    await ws?.close();
    await sse?.close();
    await t?.close();
  });

  it('delivers every version of a burst of 200 writes, in order, once, on both transports', async () => {
    const first = version + 1;
    for (let i = 0; i < 200; i += 1) await write();
    const expected = Array.from({ length: 200 }, (_, i) => first + i);
    const [overWs, overSse] = await Promise.all([ws.take(200, 30_000), sse.take(200, 30_000)]);
    expect(overWs.map((e) => e.version)).toEqual(expected);
    expect(overSse.map((e) => e.version)).toEqual(expected);
    expect(overWs[0]).toMatchObject({ environment: 'dev', changedKeys: ['CVN_SIGNAL_THRESHOLD_BUY'] });
  });

  it('never publishes a write that rolled back', async () => {
    const sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    try {
      // A version inserted and rolled back by hand: the NOTIFY fired by its
      // trigger must die with the transaction.
      await sql.query('BEGIN');
      await sql.query(
        `INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id)
         SELECT e.id, e.active_version + 1, 'EDIT', '{}', 'doomed', u.id FROM environments e, users u WHERE e.name = 'dev' AND u.username = 'admin'`);
      await sql.query('ROLLBACK');
    } finally {
      await sql.end();
    }
    // And a write refused by validation publishes nothing either.
    const refused = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: version, reason: 'bad', changes: [{ name: 'CVN_ATR_PERIOD', value: '-1' }] } }, 'editor');
    expect(refused.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    // The next event each subscriber sees is the next committed write.
    const committed = await write();
    expect((await ws.take(1))[0]!.version).toBe(committed);
    expect((await sse.take(1))[0]!.version).toBe(committed);
  });

  it('recovers from a killed LISTEN connection mid-burst without missing a version', async () => {
    const admin = new pg.Client({ connectionString: t.db.url });
    await admin.connect();
    try {
      const first = version + 1;
      const reconnects = () => t.scrape().then((text) => Number(/ucp_listen_reconnects_total (\d+)/.exec(text)?.[1] ?? 0));
      const before = await reconnects();
      for (let i = 0; i < 100; i += 1) {
        if (i === 30) {
          const killed = await admin.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'ucp-listen' AND datname = current_database()`);
          expect(killed.rows).toEqual([{ ok: true }]);
        }
        await write();
      }
      const expected = Array.from({ length: 100 }, (_, i) => first + i);
      const [overWs, overSse] = await Promise.all([ws.take(100, 30_000), sse.take(100, 30_000)]);
      expect(overWs.map((e) => e.version)).toEqual(expected);
      expect(overSse.map((e) => e.version)).toEqual(expected);
      expect(await reconnects()).toBeGreaterThan(before);
      const ready = await fetch(`${t.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await admin.end();
    }
  });

  it('replays versions after afterVersion before going live (resume without gaps)', async () => {
    const from = version - 3;
    const resumed = subscribeWs(t.url, `subscription($env: String!, $after: Int) { configChanged(environment: $env, afterVersion: $after) { environment version changedKeys } }`, { env: 'dev', after: from }, pick);
    try {
      const backlog = await resumed.take(3);
      expect(backlog.map((e) => e.version)).toEqual([from + 1, from + 2, from + 3]);
      const next = await write();
      expect((await resumed.take(1))[0]!.version).toBe(next);
      await ws.take(1);
      await sse.take(1);
    } finally {
      await resumed.close();
    }
  });
});
