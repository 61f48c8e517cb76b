import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppPubSub } from '../server/realtime/pubsub.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const REGISTER = `mutation ($input: RegisterWorkerInput!) {
  registerWorker(input: $input) { id name mode status environment { name } consumes pendingRestart appliedVersion lagVersions lastHeartbeatAt }
}`;

const REPORT = `mutation ($input: ReportWorkerStatusInput!) {
  reportWorkerStatus(input: $input) { id status receivedVersion appliedVersion lastAppliedAt lastHeartbeatAt pendingRestart lagVersions }
}`;

/** Rejects after `ms` unless the promise settled first (a bound on waiting, not a sleep). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Resolves once the server's next subscription to `topic` is listening.
 * graphql-ws acknowledges a subscribe with nothing until the first event, so
 * without this a status report could be published before anyone listens.
 * The pubsub listens as soon as subscribe() returns, so the first next() is late enough.
 */
function whenListening(pubsub: AppPubSub, topic: 'workerStatusChanged'): Promise<void> {
  const original = pubsub.subscribe;
  return new Promise((resolve) => {
    pubsub.subscribe = ((...args: Parameters<AppPubSub['subscribe']>) => {
      const source = (original as unknown as (...a: unknown[]) => AsyncIterable<unknown>).apply(pubsub, args);
      if (args[0] !== topic) return source;
      pubsub.subscribe = original;
      return {
        [Symbol.asyncIterator]() {
          const iterator = source[Symbol.asyncIterator]();
          return {
            next: () => {
              const next = iterator.next();
              resolve();
              return next;
            },
            return: (value?: unknown) => iterator.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined }),
          };
        },
      };
    }) as AppPubSub['subscribe'];
  });
}

describe('worker registry', () => {
  let t: TestApp;
  let devToken: string;
  let otherDevToken: string;
  let prodToken: string;
  const clients: Client[] = [];

  const token = async (environment: string, name: string) =>
    expectData(await t.gql(`mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment, name } })).createServiceToken.token as string;

  beforeAll(async () => {
    t = await startTestApp();
    devToken = await token('dev', 'paper-workers');
    otherDevToken = await token('dev', 'backtest-workers');
    prodToken = await token('prod', 'live-workers');
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await t.close();
  });

  function subscribe(bearer: string, query: string, variables: Record<string, unknown> = {}) {
    const client = createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bearer}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const events: Record<string, any>[] = [];
    let waiter: ((event: Record<string, any>) => void) | undefined;
    let failed: ((error: unknown) => void) | undefined;
    const dispose = client.subscribe<Record<string, any>>({ query, variables }, {
      next: (result) => {
        if (result.errors?.length) return failed?.(result.errors);
        events.push(result.data!);
        waiter?.(result.data!);
      },
      error: (error) => failed?.(error),
      complete: () => {},
    });
    return {
      /** The next event not yet taken. */
      next(ms = 5_000): Promise<Record<string, any>> {
        if (events.length) return Promise.resolve(events.shift()!);
        return within(new Promise((resolve, reject) => {
          waiter = (event) => { events.shift(); waiter = undefined; resolve(event); };
          failed = reject;
        }), ms, 'a workerStatusChanged event');
      },
      dispose,
    };
  }

  let devWorker: { id: string };

  it('registers a worker with its token and upserts by name', async () => {
    const registered = expectData(await t.gql(REGISTER, { input: { name: 'paper-1', mode: 'PAPER', consumes: ['CVN_PTE_ENVELOPE', 'CVN_ATR_PERIOD', 'CVN_ATR_PERIOD'] } }, { token: devToken })).registerWorker;
    expect(registered).toMatchObject({
      name: 'paper-1', mode: 'PAPER', status: 'NOT_READY', environment: { name: 'dev' },
      consumes: ['CVN_ATR_PERIOD', 'CVN_PTE_ENVELOPE'], pendingRestart: [], appliedVersion: null, lagVersions: null,
    });
    expect(registered.lastHeartbeatAt).not.toBeNull();
    devWorker = registered;

    const again = expectData(await t.gql(REGISTER, { input: { name: 'paper-1', mode: 'PAPER', consumes: ['CVN_ATR_PERIOD'] } }, { token: devToken })).registerWorker;
    expect(again.id).toBe(registered.id);
    expect(again.consumes).toEqual(['CVN_ATR_PERIOD']);
  });

  it('refuses operators and parameters the catalog does not know', async () => {
    const input = { name: 'paper-2', mode: 'PAPER', consumes: [] };
    expect(errorCode(await t.gql(REGISTER, { input }, 'admin'))).toBe('FORBIDDEN');
    const unknown = await t.gql(REGISTER, { input: { ...input, consumes: ['CVN_NOT_IN_CATALOG'] } }, { token: devToken });
    expect(errorCode(unknown)).toBe('VALIDATION_FAILED');
    expect(unknown.errors![0]!.extensions!.violations).toEqual([expect.objectContaining({ code: 'UNKNOWN_PARAMETER', parameter: 'CVN_NOT_IN_CATALOG' })]);
  });

  it('takes status reports and shows the lag behind the active version', async () => {
    const reported = expectData(await t.gql(REPORT, { input: { workerId: devWorker.id, status: 'READY', receivedVersion: 1, appliedVersion: 1 } }, { token: devToken })).reportWorkerStatus;
    expect(reported).toMatchObject({ status: 'READY', receivedVersion: 1, appliedVersion: 1, lagVersions: 0 });
    expect(reported.lastAppliedAt).not.toBeNull();

    expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }`, {
      input: { environment: 'dev', expectedVersion: 1, reason: 'move dev ahead of the worker', changes: [{ name: 'CVN_ATR_PERIOD', value: '21' }] },
    }, 'editor'));
    const seen = expectData(await t.gql(`{ workers { name environment { name } appliedVersion lagVersions } }`, {}, { token: devToken })).workers;
    expect(seen).toEqual([{ name: 'paper-1', environment: { name: 'dev' }, appliedVersion: 1, lagVersions: 1 }]);

    // Omitted fields keep their value; pendingRestart replaces the list.
    const restart = expectData(await t.gql(REPORT, { input: { workerId: devWorker.id, status: 'STALE', receivedVersion: 2, pendingRestart: ['CVN_ATR_PERIOD'] } }, { token: devToken })).reportWorkerStatus;
    expect(restart).toMatchObject({ status: 'STALE', receivedVersion: 2, appliedVersion: 1, lagVersions: 1, pendingRestart: ['CVN_ATR_PERIOD'] });
    expect(errorCode(await t.gql(REPORT, { input: { workerId: devWorker.id, status: 'READY', appliedVersion: 9 } }, { token: devToken }))).toBe('BAD_REQUEST');
  });

  it('keeps tokens to their own workers and environment', async () => {
    const report = { workerId: devWorker.id, status: 'ERROR' };
    expect(errorCode(await t.gql(REPORT, { input: report }, { token: prodToken }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(REPORT, { input: report }, { token: otherDevToken }))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(REPORT, { input: report }, 'admin'))).toBe('FORBIDDEN');

    expect(expectData(await t.gql(`{ workers { name } }`, {}, { token: prodToken })).workers).toEqual([]);
    expect(errorCode(await t.gql(`{ workers(environment: "dev") { name } }`, {}, { token: prodToken }))).toBe('FORBIDDEN');
    const node = await t.gql(`query ($id: ID!) { node(id: $id) { ... on Worker { name } } }`, { id: devWorker.id }, { token: prodToken });
    expect(errorCode(node)).toBe('FORBIDDEN');
    expect(expectData(await t.gql(`{ workers(environment: "dev") { name status } }`, {}, 'viewer')).workers).toEqual([{ name: 'paper-1', status: 'STALE' }]);
  });

  it('publishes status changes over graphql-ws to the environment\'s subscribers only', async () => {
    const query = `subscription ($environment: String) { workerStatusChanged(environment: $environment) { name status appliedVersion lagVersions environment { name } } }`;
    const devListening = whenListening(t.app.pubsub, 'workerStatusChanged');
    const dev = subscribe(devToken, query, { environment: 'dev' });
    await within(devListening, 5_000, 'the dev subscription');
    const prodListening = whenListening(t.app.pubsub, 'workerStatusChanged');
    const prod = subscribe(prodToken, query);
    await within(prodListening, 5_000, 'the prod subscription');

    expectData(await t.gql(REPORT, { input: { workerId: devWorker.id, status: 'READY', appliedVersion: 2 } }, { token: devToken }));
    expect(await dev.next()).toEqual({ workerStatusChanged: { name: 'paper-1', status: 'READY', appliedVersion: 2, lagVersions: 0, environment: { name: 'dev' } } });

    // The prod subscriber filters in arrival order: had the dev event reached
    // it, it would come before the prod worker's registration.
    expectData(await t.gql(REGISTER, { input: { name: 'live-1', mode: 'LIVE', consumes: [] } }, { token: prodToken }));
    expect(await prod.next()).toEqual({ workerStatusChanged: { name: 'live-1', status: 'NOT_READY', appliedVersion: null, lagVersions: null, environment: { name: 'prod' } } });

    // Heartbeats that change nothing an operator watches stay silent; the next real change arrives.
    expectData(await t.gql(REPORT, { input: { workerId: devWorker.id, status: 'READY' } }, { token: devToken }));
    expectData(await t.gql(REPORT, { input: { workerId: devWorker.id, status: 'STOPPED' } }, { token: devToken }));
    expect((await dev.next()).workerStatusChanged.status).toBe('STOPPED');
    dev.dispose();
    prod.dispose();
  });

  it('refuses a subscription to another environment', async () => {
    const client = createClient({
      url: `${t.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${prodToken}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const outcome = new Promise<unknown>((resolve) => {
      client.subscribe({ query: `subscription { workerStatusChanged(environment: "dev") { name } }` }, {
        next: (result) => resolve(result),
        error: resolve,
        complete: () => {},
      });
    });
    const result = (await within(outcome, 5_000, 'the refusal')) as { errors?: { extensions?: { code?: string } }[] } | { extensions?: { code?: string } }[];
    const errors = Array.isArray(result) ? result : result.errors;
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('records the first status report with the registration, checked as a report is, and registers nothing when refused', async () => {
    const active = expectData(await t.gql(`{ environment(name: "prod") { activeVersion } }`)).environment.activeVersion as number;
    const input = { name: 'live-ready', mode: 'LIVE', consumes: ['CVN_ATR_PERIOD'] };
    const refused = await t.gql(REGISTER, { input: { ...input, status: { status: 'READY', appliedVersion: active + 1 } } }, { token: prodToken });
    expect(errorCode(refused)).toBe('BAD_REQUEST');
    const names = expectData(await t.gql(`{ workers { name } }`, {}, { token: prodToken })).workers.map((w: { name: string }) => w.name);
    expect(names).not.toContain('live-ready');

    const status = { status: 'READY', receivedVersion: active, appliedVersion: active, pendingRestart: [] };
    const registered = expectData(await t.gql(REGISTER, { input: { ...input, status } }, { token: prodToken })).registerWorker;
    expect(registered).toMatchObject({ name: 'live-ready', status: 'READY', appliedVersion: active, pendingRestart: [], lagVersions: 0 });
    // A restarted worker re-registers: its state is the one it registers with.
    const stale = expectData(await t.gql(REPORT, { input: { workerId: registered.id, status: 'STALE', pendingRestart: ['CVN_ATR_PERIOD'] } }, { token: prodToken })).reportWorkerStatus;
    expect(stale).toMatchObject({ status: 'STALE', pendingRestart: ['CVN_ATR_PERIOD'] });
    const again = expectData(await t.gql(REGISTER, { input: { ...input, status } }, { token: prodToken })).registerWorker;
    expect(again).toMatchObject({ id: registered.id, status: 'READY', appliedVersion: active, pendingRestart: [] });
  });

  it('gives a name registered by two tokens at once to exactly one of them, with one audit row per registration that landed', async () => {
    const [first, second] = [await token('dev', 'race-a'), await token('dev', 'race-b')];
    const names = Array.from({ length: 8 }, (_, i) => `race-${i}`);
    const attempts = await Promise.all(names.flatMap((name) => [first, second, first].map(async (bearer) => ({
      name, bearer, response: await t.gql(REGISTER, { input: { name, mode: 'PAPER', consumes: ['CVN_ATR_PERIOD'] } }, { token: bearer }),
    }))));
    for (const name of names) {
      const mine = attempts.filter((a) => a.name === name);
      const landed = mine.filter((a) => !a.response.errors);
      // One token owns the name; the other token's attempt is refused, whichever came first.
      expect(new Set(landed.map((a) => a.bearer)).size).toBe(1);
      expect(new Set(landed.map((a) => a.response.data!.registerWorker.id)).size).toBe(1);
      for (const refused of mine.filter((a) => a.response.errors)) expect(errorCode(refused.response)).toBe('FORBIDDEN');
      const { rows: [audit] } = await t.sql.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM audit_events WHERE action = 'worker_registered' AND details->>'name' = $1`, [name]);
      expect(audit!.count).toBe(landed.length);
    }
  });
});
