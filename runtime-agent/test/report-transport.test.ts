// Which way an agent's reports travel, against the real server: over the
// stream's graphql-ws socket while it is up, over HTTP when it is not (a
// request in flight, or an apply report posted and not confirmed, on a socket
// that closes is sent again that way), and an apply report leaves after its
// jitter delay carrying the agent's own timestamps.
// No sleeps: every wait is on an event or a message, bounded by a timeout.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { AgentEvent, createRuntimeAgent, type AgentEventDetails, type FetchLike, type RuntimeAgent, type RuntimeAgentOptions } from '../src/index.ts';
import { nextEvent, within } from './support/wait-for.ts';
import { recordingLogger, type RecordingLogger } from './support/recording-logger.ts';

const BUY = 'CVN_SIGNAL_THRESHOLD_BUY';
const CONSUMES = [BUY, 'CVN_CUSUM_ENABLED'] as const;
const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version createdAt } } }`;
const APPLY_OP = 'RuntimeAgentApply';
/** An apply report posted as a graphql-ws pong (contract/apply-report-document.ts). */
const APPLY_POSTED = 'applyReport (posted)';
const STATUS_OP = 'RuntimeAgentStatus';

/** The operation name of a GraphQL document ("mutation RuntimeAgentApply(...)" → RuntimeAgentApply). */
function operationName(query: unknown): string {
  return typeof query === 'string' ? (/^\s*(?:query|mutation|subscription)\s+(\w+)/.exec(query)?.[1] ?? '(anonymous)') : '(none)';
}

/** The agent's fetch, recording the operation of every POST it makes. */
function recordingFetch() {
  const operations: string[] = [];
  const fetchImpl: FetchLike = (input, init) => {
    operations.push(operationName((JSON.parse(init.body) as { query?: unknown }).query));
    return fetch(input, init);
  };
  return { fetchImpl, operations };
}

/**
 * A `ws` WebSocket that records the operations sent over it, tells when a
 * connection is acknowledged (the agent's stream is up), and can swallow the
 * next request of one operation and then cut the link: the socket closes
 * with that request in flight, and reconnects are refused until healed.
 */
function instrumentedWebSocket({ olderServer = false }: { olderServer?: boolean } = {}) {
  const sent: string[] = [];
  const waiters: { match: (what: string) => boolean; resolve: () => void }[] = [];
  const open = new Set<WebSocket>();
  const control: { blocked: boolean; swallow?: string } = { blocked: false };
  const notify = (what: string) => {
    for (const waiter of [...waiters]) {
      if (!waiter.match(what)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const cut = () => {
    control.blocked = true;
    for (const socket of open) socket.terminate();
  };
  class Instrumented extends WebSocket {
    constructor(address: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(control.blocked ? 'ws://127.0.0.1:9/graphql' : address, protocols, options);
      open.add(this);
      this.on('close', () => open.delete(this));
      // As a server from before posted reports acknowledges: without a payload
      // (graphql-ws reads the socket through its onmessage property).
      if (olderServer) {
        const property = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
        Object.defineProperty(this, 'onmessage', {
          configurable: true,
          get: () => property.get!.call(this),
          set: (handler: ((event: { data: unknown }) => void) | null) => property.set!.call(this, handler && ((event: { data: unknown }) => {
            handler(String(event.data).includes('"connection_ack"') ? { ...event, data: JSON.stringify({ type: 'connection_ack' }) } : event);
          })),
        });
      }
      this.on('message', (data) => {
        // After graphql-ws's own listener has run (the agent's `connected`).
        if ((JSON.parse(String(data)) as { type?: string }).type === 'connection_ack') setImmediate(() => notify('ack'));
      });
    }

    override send(data: any, ...rest: any[]): void {
      const message = JSON.parse(String(data)) as { type?: string; payload?: { query?: unknown; applyReport?: unknown } };
      if (message.type === 'subscribe' || (message.type === 'pong' && message.payload?.applyReport)) {
        const operation = message.type === 'pong' ? APPLY_POSTED : operationName(message.payload?.query);
        sent.push(operation);
        notify(`sent:${operation}`);
        if (operation === control.swallow) {
          control.swallow = undefined;
          setImmediate(cut); // the request never reaches the server; the socket closes under it
          return;
        }
      }
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  const waitFor = (match: (what: string) => boolean, what: string) => within(new Promise<void>((resolve) => waiters.push({ match, resolve })), 10_000, what);
  return {
    impl: Instrumented,
    /** The operations sent over the agent's sockets, in order. */
    sent,
    nextAck: () => waitFor((w) => w === 'ack', 'the stream (connection_ack)'),
    nextSent: (operation: string) => waitFor((w) => w === `sent:${operation}`, `${operation} over the socket`),
    swallowNext(operation: string) {
      control.swallow = operation;
    },
  };
}

describe('how the runtime agent reports to the server', () => {
  let t: TestApp;
  let token: string;
  let active = 0;
  const agents: RuntimeAgent[] = [];
  const loggers: RecordingLogger[] = [];

  function agent(options: Partial<RuntimeAgentOptions<(typeof CONSUMES)[number]>>) {
    const logger = recordingLogger();
    loggers.push(logger);
    const created = createRuntimeAgent({
      url: t.url,
      token,
      environment: 'dev',
      workerName: `transport-${agents.length}`,
      mode: 'PAPER',
      consumes: CONSUMES,
      heartbeatIntervalMs: 60_000,
      stalenessBudgetMs: 60_000,
      retry: { baseMs: 20, maxMs: 200 },
      logger,
      ...options,
    });
    agents.push(created as unknown as RuntimeAgent);
    return created;
  }

  /** An agent on an instrumented socket (and recorded HTTP), READY and its socket acknowledged. */
  async function connectedAgent(options: Partial<RuntimeAgentOptions<(typeof CONSUMES)[number]>> = {}, socketOptions?: Parameters<typeof instrumentedWebSocket>[0]) {
    const socket = instrumentedWebSocket(socketOptions);
    const http = recordingFetch();
    const a = agent({ webSocketImpl: socket.impl, fetchImpl: http.fetchImpl, applyReportJitterMs: 0, ...options });
    const up = socket.nextAck();
    await a.ready();
    await up;
    return { a, socket, http, logger: loggers.at(-1)! };
  }

  async function save(value: string): Promise<{ version: number; createdAt: string }> {
    const response = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: active, reason: `transport test ${value}`, changes: [{ name: BUY, value }] } }, 'editor');
    const saved = expectData(response).updateConfig.version as { version: number; createdAt: string };
    active = saved.version;
    return saved;
  }

  async function serverWorker(id: string | undefined) {
    const { workers } = expectData(await t.gql(`{ workers(environment: "dev") { id appliedVersion recentApplies(last: 1) { version receivedAt appliedAt latencyMs } } }`));
    return workers.find((w: { id: string }) => w.id === id) as { appliedVersion: number | null; recentApplies: { version: number; receivedAt: string; appliedAt: string; latencyMs: number }[] };
  }

  async function applyRows(id: string | undefined, version: number): Promise<number> {
    const uuid = Buffer.from(id ?? '', 'base64').toString('utf8').replace(/^Worker:/, '');
    return (await t.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_applies WHERE worker_id = $1 AND version = $2', [uuid, version])).rows[0]!.n;
  }

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.gql(`mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment: 'dev', name: 'report-transport-tests' } });
    token = expectData(created).createServiceToken.token;
    active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await t?.close();
  });

  it('while the stream is up, the apply and status reports ride its socket: no HTTP report', async () => {
    const { a, socket, http } = await connectedAgent({ heartbeatIntervalMs: 50 });
    const httpBefore = http.operations.length;

    const changed = nextEvent(a, AgentEvent.ConfigurationChanged);
    const saved = await save('0.61');
    expect((await changed).version).toBe(saved.version);
    await a.flush();
    expect(await serverWorker(a.workerId)).toMatchObject({ appliedVersion: saved.version });
    // A heartbeat's status report after the apply takes the socket too.
    await socket.nextSent(STATUS_OP);

    expect(socket.sent).toContain(APPLY_POSTED);
    expect(socket.sent).not.toContain(APPLY_OP);
    const overHttp = http.operations.slice(httpBefore);
    expect(overHttp).not.toContain(APPLY_OP);
    expect(overHttp).not.toContain(STATUS_OP);
    expect(http.operations).not.toContain(APPLY_OP);
    expect(await applyRows(a.workerId, saved.version)).toBe(1);
  });

  it('to a server whose handshake does not say it takes posted reports, the apply report is the mutation, over the socket', async () => {
    const { a, socket, http } = await connectedAgent({}, { olderServer: true });
    const changed = nextEvent(a, AgentEvent.ConfigurationChanged);
    const saved = await save('0.64');
    expect((await changed).version).toBe(saved.version);
    await a.flush();
    expect(socket.sent).toContain(APPLY_OP);
    expect(socket.sent).not.toContain(APPLY_POSTED);
    expect(http.operations).not.toContain(APPLY_OP);
    expect(await applyRows(a.workerId, saved.version)).toBe(1);
  });

  it('an apply report leaves after its jitter delay, with the agent\'s own times: the latency does not include the delay', async () => {
    const { a, socket } = await connectedAgent({ applyReportJitterMs: 300 });
    const previous = a.appliedVersion;
    const uuid = Buffer.from(a.workerId ?? '', 'base64').toString('utf8').replace(/^Worker:/, '');

    const random = vi.spyOn(Math, 'random');
    try {
      let atApply: { at: number; server: Promise<{ applied_version: number | null }> } | undefined;
      const changed = nextEvent(a, AgentEvent.ConfigurationChanged, (details) => {
        if (details.version <= previous) return false;
        // Synchronously in the apply: what the server holds at that moment.
        atApply = { at: performance.now(), server: t.sql.query('SELECT applied_version FROM workers WHERE id = $1', [uuid]).then((r) => r.rows[0]) };
        // The report is queued right after this event: its jitter draw is the
        // next random number (0.999 → a delay of 299.7 ms).
        random.mockReturnValueOnce(0.999);
        return true;
      });
      const saved = await save('0.62');
      const details = await changed;
      expect(details.version).toBe(saved.version);
      expect(await atApply!.server).toEqual({ applied_version: previous });

      await a.flush();
      const reportedAfterMs = performance.now() - atApply!.at;
      expect(reportedAfterMs).toBeGreaterThanOrEqual(290);

      const worker = await serverWorker(a.workerId);
      expect(worker.appliedVersion).toBe(saved.version);
      const latencyMs = details.appliedAt.getTime() - new Date(saved.createdAt).getTime();
      expect(worker.recentApplies).toEqual([{
        version: saved.version,
        receivedAt: details.receivedAt.toISOString(),
        appliedAt: details.appliedAt.toISOString(),
        latencyMs,
      }]);
      expect(latencyMs).toBeLessThan(200);
      // The server wrote the apply (its now()) some 300 ms after the agent applied it.
      const { rows } = await t.sql.query<{ recorded_after_ms: number }>(
        'SELECT (extract(epoch FROM last_heartbeat_at - last_applied_at) * 1000)::float AS recorded_after_ms FROM workers WHERE id = $1', [uuid]);
      expect(rows[0]!.recorded_after_ms).toBeGreaterThanOrEqual(290);
    } finally {
      random.mockRestore();
    }
  });

  // Without this, closing stopped the stream first: the lazy socket closed
  // with the reports held, they were sent again over HTTP, and the server
  // refused all but the newest as going back.
  it('close() confirms the reports posted on the socket before closing it: none is sent again over HTTP', async () => {
    const { a, socket, http, logger } = await connectedAgent();
    const saved = [];
    for (const value of ['0.65', '0.66']) {
      const posted = socket.nextSent(APPLY_POSTED);
      saved.push(await save(value));
      await posted; // held until a round trip confirms it (5 s later, or a ping)
    }
    await a.close();

    expect(http.operations.filter((op) => op === APPLY_OP)).toEqual([]);
    expect(await serverWorker(a.workerId)).toMatchObject({ appliedVersion: saved[1]!.version });
    for (const { version } of saved) expect(await applyRows(a.workerId, version)).toBe(1);
    expect(logger.events('runtime_agent_report_failed')).toEqual([]);
  });

  it('a posted report its socket closed on before a round trip confirmed it is sent again over HTTP while the stream is down, and recorded once', async () => {
    const { a, socket, http, logger } = await connectedAgent();

    socket.swallowNext(APPLY_POSTED);
    const changed = nextEvent(a, AgentEvent.ConfigurationChanged);
    const saved = await save('0.63');
    expect((await changed).version).toBe(saved.version);
    await a.flush();
    expect(logger.events('listen_disconnected')).toHaveLength(1); // the socket closed under the request

    expect(socket.sent.filter((op) => op === APPLY_POSTED)).toEqual([APPLY_POSTED]); // swallowed: the server never saw it
    expect(http.operations.filter((op) => op === APPLY_OP)).toEqual([APPLY_OP]); // the retry
    expect(await serverWorker(a.workerId)).toMatchObject({ appliedVersion: saved.version });
    expect(await applyRows(a.workerId, saved.version)).toBe(1);
    expect(logger.events('runtime_agent_report_failed')).toEqual([]);
  });
});
