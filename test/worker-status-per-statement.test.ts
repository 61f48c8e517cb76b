import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppPubSub, WorkerStatusChangedEvent } from '../server/realtime/pubsub.ts';
import { startTestApp, type TestApp } from './support/start-test-app.ts';
import { subscribeWs } from './support/subscription-clients.ts';

/**
 * An UPDATE of many workers sends one worker_status_changed notification per
 * environment and 180 workers, not one per row
 * (prisma/migrations/20261218000000_worker_status_notify_per_statement), and
 * workerStatusChanged's consumers still see one event per changed worker with
 * its environment, as they did with a notification per row.
 */
describe('worker status notifications per statement', () => {
  let t: TestApp;
  let listener: pg.Client;
  const payloads: string[] = [];
  let payloadArrived: () => void = () => {};
  let environments: Record<string, string>;
  const devWorkers: string[] = [];
  const prodWorkers: string[] = [];

  /** Resolves with the next `count` notifications, or rejects after 10 s. */
  const nextPayloads = (count: number) => new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${payloads.length} of ${count} worker_status_changed notifications within 10 s`)), 10_000);
    payloadArrived = () => {
      if (payloads.length < count) return;
      clearTimeout(timer);
      payloadArrived = () => {};
      resolve(payloads.splice(0, count));
    };
    payloadArrived();
  });

  /** The next `count` events of a pubsub subscription, or a rejection after 10 s. */
  async function take<T>(events: AsyncIterableIterator<T>, count: number): Promise<T[]> {
    const taken: T[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${taken.length} of ${count} workerStatusChanged events within 10 s`)), 10_000);
    });
    try {
      while (taken.length < count) taken.push((await Promise.race([events.next(), timeout])).value as T);
    } finally {
      clearTimeout(timer);
    }
    return taken;
  }

  /** Resolves once the server's next subscription to workerStatusChanged exists (it listens from then on). */
  function nextSubscription(pubsub: AppPubSub): Promise<void> {
    const original = pubsub.subscribe;
    return new Promise((resolve) => {
      pubsub.subscribe = ((...args: Parameters<AppPubSub['subscribe']>) => {
        const subscription = (original as (...a: unknown[]) => unknown).apply(pubsub, args);
        if (args[0] === 'workerStatusChanged') {
          pubsub.subscribe = original;
          resolve();
        }
        return subscription;
      }) as AppPubSub['subscribe'];
    });
  }

  /** Inserts `count` workers of `environment` in one statement; returns their ids. */
  async function insertWorkers(environment: string, prefix: string, count: number): Promise<string[]> {
    const { rows } = await t.sql.query<{ id: string }>(
      `INSERT INTO workers (id, name, mode, environment_id)
       SELECT gen_random_uuid(), $2 || '-' || i, 'PAPER', $1 FROM generate_series(1, $3::int) AS i RETURNING id`,
      [environments[environment], prefix, count]);
    return rows.map((r) => r.id);
  }

  beforeAll(async () => {
    t = await startTestApp();
    const { rows } = await t.sql.query<{ id: string; name: string }>('SELECT id, name FROM environments');
    environments = Object.fromEntries(rows.map((r) => [r.name, r.id]));
    listener = new pg.Client({ connectionString: t.db.url });
    await listener.connect();
    listener.on('notification', (n) => {
      if (n.channel !== 'worker_status_changed') return;
      payloads.push(n.payload ?? '');
      payloadArrived();
    });
    await listener.query('LISTEN worker_status_changed');
  });
  afterAll(async () => {
    await listener?.end();
    await t?.close();
  });

  it('still announces each registration (INSERT) on its own, as before', async () => {
    const events = t.app.pubsub.subscribe('workerStatusChanged');
    try {
      devWorkers.push(...await insertWorkers('dev', 'statement-dev', 200));
      prodWorkers.push(...await insertWorkers('prod', 'statement-prod', 3));
      const sent = (await nextPayloads(203)).map((p) => JSON.parse(p));
      expect(sent).toEqual(expect.arrayContaining([{ id: devWorkers[0], environmentId: environments.dev }, { id: prodWorkers[2], environmentId: environments.prod }]));
      const published = await take(events, 203);
      expect(new Set(published.map((e) => e.id))).toEqual(new Set([...devWorkers, ...prodWorkers]));
    } finally {
      await events.return?.();
    }
  });

  it('sends one notification per environment and 180 workers for an UPDATE, and publishes one event per worker', async () => {
    const events = t.app.pubsub.subscribe('workerStatusChanged');
    try {
      await t.sql.query(`UPDATE workers SET status = 'READY', applied_version = 1, received_version = 1 WHERE id = ANY($1::uuid[])`, [[...devWorkers, ...prodWorkers]]);
      const sent = (await nextPayloads(3)).map((p) => ({ bytes: Buffer.byteLength(p), ...JSON.parse(p) }));
      // 200 dev workers are two payloads (180 + 20), the 3 prod ones one.
      expect(sent.map((p) => [p.environmentId, p.ids.length]).sort()).toEqual([[environments.dev, 180], [environments.dev, 20], [environments.prod, 3]].sort());
      for (const p of sent) expect(p.bytes).toBeLessThan(8000);
      expect(sent.flatMap((p) => p.ids).sort()).toEqual([...devWorkers, ...prodWorkers].sort());

      const published = await take<WorkerStatusChangedEvent>(events, 203);
      const byId = new Map(published.map((e) => [e.id, e]));
      expect(byId.size).toBe(203);
      for (const id of devWorkers) expect(byId.get(id)).toEqual({ id, environmentId: environments.dev });
      for (const id of prodWorkers) expect(byId.get(id)).toEqual({ id, environmentId: environments.prod });
    } finally {
      await events.return?.();
    }
  });

  it('stays silent for an UPDATE that changes nothing an operator watches (heartbeats)', async () => {
    await t.sql.query(`UPDATE workers SET last_heartbeat_at = now() WHERE id = ANY($1::uuid[])`, [devWorkers]);
    await t.sql.query(`UPDATE workers SET status = 'READY' WHERE id = ANY($1::uuid[])`, [devWorkers]); // READY already
    // Only a real change of one of them, after both, is announced.
    await t.sql.query(`UPDATE workers SET pending_restart = ARRAY['CVN_ATR_PERIOD'] WHERE id = $1`, [devWorkers[7]]);
    expect((await nextPayloads(1)).map((p) => JSON.parse(p))).toEqual([{ environmentId: environments.dev, ids: [devWorkers[7]] }]);
  });

  it("reaches the console's workerStatusChanged subscription as one event per worker, filtered by environment", async () => {
    const subscribed = nextSubscription(t.app.pubsub);
    const prod = subscribeWs(t.url, `subscription { workerStatusChanged(environment: "prod") { id name status appliedVersion environment { name } } }`, {}, (d) => d.workerStatusChanged, 'admin');
    try {
      await subscribed;
      await t.sql.query(`UPDATE workers SET status = 'STALE', received_version = 2 WHERE id = ANY($1::uuid[])`, [[...devWorkers, ...prodWorkers]]);
      const seen = await prod.take(3);
      expect(seen.map((w) => w.name).sort()).toEqual(['statement-prod-1', 'statement-prod-2', 'statement-prod-3']);
      for (const w of seen) expect(w).toMatchObject({ status: 'STALE', appliedVersion: 1, environment: { name: 'prod' } });
      // Then the next change, with none of the dev workers' events in between.
      await t.sql.query(`UPDATE workers SET status = 'STOPPED' WHERE id = $1`, [prodWorkers[0]]);
      expect((await prod.take(1))[0]).toMatchObject({ name: 'statement-prod-1', status: 'STOPPED' });
    } finally {
      await prod.close();
    }
  });
});
