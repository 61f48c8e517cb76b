import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { subscribeWs, type Subscription } from './support/subscription-clients.ts';

/**
 * A config_changed notification carries its version's event when it fits
 * (prisma/migrations/20261217000000_notify_carries_the_event), and the LISTEN
 * bridge publishes it without reading the version back; a version too large
 * for a payload is announced in the short form and read back as before.
 * Either way subscribers see exactly the event a replay (afterVersion) reads
 * from the database.
 */
const EVENT = `subscription($env: String!, $after: Int) {
  configChanged(environment: $env, afterVersion: $after) { environment version kind changedKeys author createdAt changes { name before after } }
}`;
const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;

describe('config_changed notifications carry their event', () => {
  let t: TestApp;
  let listener: pg.Client;
  let live: Subscription<any>;
  const payloads: string[] = [];
  let payloadArrived: () => void = () => {};
  let version: number;

  const nextPayload = () => new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no config_changed notification within 10 s')), 10_000);
    payloadArrived = () => {
      clearTimeout(timer);
      payloadArrived = () => {};
      resolve(payloads.shift()!);
    };
    if (payloads.length > 0) payloadArrived();
  });

  async function save(value: string): Promise<number> {
    const response = await t.gql(UPDATE, {
      input: { environment: 'dev', expectedVersion: version, reason: 'carried event', changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value }] },
    }, 'editor');
    version = expectData(response).updateConfig.version.version;
    return version;
  }

  /** How often the bridge read a version back (the carried event needs no read). */
  async function readBacks(): Promise<number> {
    const line = (await t.scrape()).split('\n').find((l) => l.startsWith('ucp_listen_version_reads_total'));
    return Number(line?.split(' ').at(-1) ?? 0);
  }

  async function replayed(of: number): Promise<unknown> {
    const replay = subscribeWs(t.url, EVENT, { env: 'dev', after: of - 1 }, (data) => data.configChanged);
    try {
      return (await replay.take(1))[0];
    } finally {
      await replay.close();
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    listener = new pg.Client({ connectionString: t.db.url });
    await listener.connect();
    listener.on('notification', (n) => {
      if (n.channel !== 'config_changed') return;
      payloads.push(n.payload ?? '');
      payloadArrived();
    });
    await listener.query('LISTEN config_changed');
    // From the active version on: the first save reaches it however late the subscription starts.
    live = subscribeWs(t.url, EVENT, { env: 'dev', after: version }, (data) => data.configChanged);
    await save('0.61');
    expect((await live.take(1))[0].version).toBe(version);
    await nextPayload();
  });
  afterAll(async () => {
    await live?.close();
    await listener?.end();
    await t?.close();
  });

  it("publishes a save from its notification's event, which is the event a replay reads back", async () => {
    const reads = await readBacks();
    const saved = await save('0.62');
    const [event] = await live.take(1);
    const payload = JSON.parse(await nextPayload());
    expect(payload).toMatchObject({ environment: 'dev', version: saved, event: { kind: 'EDIT', author: 'editor' } });
    expect(payload.event.changes).toEqual([{ name: 'CVN_SIGNAL_THRESHOLD_BUY', before: '0.61', after: '0.62' }]);
    expect(await readBacks()).toBe(reads);
    expect(event).toMatchObject({ version: saved, kind: 'EDIT', author: 'editor', changedKeys: ['CVN_SIGNAL_THRESHOLD_BUY'] });
    expect(await replayed(saved)).toEqual(event);
  });

  it('announces a version too large for a payload in the short form, and the bridge reads it back', async () => {
    // 400 changes of ~60 bytes each are far above NOTIFY's 8000-byte limit.
    // Written by hand as the owner (every value as it was: a change row per
    // name): no catalog lets a test change 400 parameters at once without
    // meeting a cross-parameter rule.
    const reads = await readBacks();
    await t.sql.query('BEGIN');
    try {
      const { rows: [row] } = await t.sql.query<{ id: string }>(
        `INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id)
         SELECT e.id, e.active_version + 1, 'EDIT', v.values, 'large', u.id
         FROM environments e JOIN config_versions v ON v.environment_id = e.id AND v.version = e.active_version, users u
         WHERE e.name = 'dev' AND u.username = 'admin' RETURNING id`);
      await t.sql.query(
        `INSERT INTO config_changes (version_id, parameter_name, before, after)
         SELECT $1, c.name, v.values ->> c.name, v.values ->> c.name
         FROM (SELECT name FROM variable_catalog ORDER BY name LIMIT 400) c, config_versions v WHERE v.id = $1`, [row!.id]);
      await t.sql.query('COMMIT');
    } catch (error) {
      await t.sql.query('ROLLBACK');
      throw error;
    }
    const { rows } = await t.sql.query<{ name: string }>('SELECT name FROM variable_catalog ORDER BY name LIMIT 400');
    const names = rows.map((r) => r.name);
    version += 1;
    const payload = JSON.parse(await nextPayload());
    expect(payload).toEqual({ environment: 'dev', version });
    const [event] = await live.take(1);
    expect(event.version).toBe(version);
    expect(event.changedKeys).toEqual(names);
    expect(await readBacks()).toBe(reads + 1);
    expect(await replayed(version)).toEqual(event);
  });

  it('still publishes nothing for a version rolled back', async () => {
    await t.sql.query('BEGIN');
    await t.sql.query(
      `INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id)
       SELECT e.id, e.active_version + 1, 'EDIT', '{}', 'doomed', u.id FROM environments e, users u WHERE e.name = 'dev' AND u.username = 'admin'`);
    await t.sql.query('ROLLBACK');
    const saved = await save('0.63');
    expect(JSON.parse(await nextPayload()).version).toBe(saved);
    expect((await live.take(1))[0].version).toBe(saved);
  });
});
