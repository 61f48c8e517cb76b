// The agent against the real server on a fresh seeded database: graphql-ws,
// service tokens, the worker registry, the OpenFeature SDK. No sleeps: every
// wait is on an event, bounded by a timeout.
import { OpenFeature, ProviderEvents, ErrorCode, type EventDetails } from '@openfeature/server-sdk';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { AgentEvent, AgentStatus, ConfigNotReadyError, createRuntimeAgent, FORBIDDEN_SECTION_EVENT, type AgentEventDetails, type RuntimeAgent, type RuntimeAgentOptions } from '../src/index.ts';
import { RuntimeAgentProvider } from '../src/openfeature-provider.ts';
import { nextEvent, within } from './support/wait-for.ts';
import { recordingLogger, type RecordingLogger } from './support/recording-logger.ts';

const BUY = 'CVN_SIGNAL_THRESHOLD_BUY';
const CONSUMES = [BUY, 'CVN_CUSUM_ENABLED', 'CVN_RISK_POSITION_SIZING', 'CVN_RSI_PERIOD'] as const;
const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;

/**
 * A `ws` WebSocket whose new connections can be blocked (sent to a closed
 * port) and whose open ones can be cut: a network partition for one agent.
 */
function partitionableWebSocket() {
  const open = new Set<WebSocket>();
  const control = { blocked: false, open };
  class Partitionable extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(control.blocked ? 'ws://127.0.0.1:9/graphql' : url, protocols);
      open.add(this);
      this.on('close', () => open.delete(this));
    }
  }
  return {
    impl: Partitionable,
    cut() {
      control.blocked = true;
      for (const socket of open) socket.terminate();
    },
    heal() {
      control.blocked = false;
    },
  };
}

describe('runtime agent against the real server', () => {
  let t: TestApp;
  let token: string;
  let active = 0;
  const agents: RuntimeAgent[] = [];
  const loggers: RecordingLogger[] = [];

  function agent<const N extends string>(options: Partial<RuntimeAgentOptions<N>> & { consumes: readonly N[] }) {
    const logger = recordingLogger();
    loggers.push(logger);
    const created = createRuntimeAgent<N>({
      url: t.url,
      token,
      environment: 'dev',
      workerName: `paper-${agents.length}`,
      mode: 'PAPER',
      // Short: the heartbeat's anti-entropy check recovers a notification the
      // server drops at subscription start (see the report on afterVersion).
      heartbeatIntervalMs: 100,
      retry: { baseMs: 20, maxMs: 200 },
      logger,
      ...options,
    });
    agents.push(created as unknown as RuntimeAgent);
    return created;
  }

  async function save(name: string, value: string): Promise<number> {
    const response = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: active, reason: `agent test ${name}=${value}`, changes: [{ name, value }] } }, 'editor');
    active = expectData(response).updateConfig.version.version;
    return active;
  }

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.gql(`mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment: 'dev', name: 'runtime-agent-tests' } });
    token = expectData(created).createServiceToken.token;
    active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
  });
  afterEach(() => {
    for (const logger of loggers) expect(logger.events(FORBIDDEN_SECTION_EVENT)).toEqual([]);
  });
  afterAll(async () => {
    await OpenFeature.close();
    await Promise.all(agents.map((a) => a.close()));
    if (process.env.AGENT_TEST_LOGS) for (const l of loggers) for (const e of l.entries) if (e.level !== 'info' && e.level !== 'debug') console.log(JSON.stringify(e.fields));
    await t?.close();
  });

  it('ready() loads the active version typed by the catalog and registers the worker', async () => {
    const a = agent({ consumes: CONSUMES });
    const snapshot = await a.ready();
    expect(a.status).toBe(AgentStatus.Ready);
    expect(snapshot.version).toBe(active);
    expect(snapshot.get(BUY)).toBe(0.55);
    expect(snapshot.get('CVN_CUSUM_ENABLED')).toBe(true);
    expect(snapshot.get('CVN_RISK_POSITION_SIZING')).toBe('fixed');
    expect(typeof snapshot.get('CVN_RSI_PERIOD')).toBe('number');
    expect(a.tag()).toEqual({ configVersion: active });
    await a.flush();
    const { workers } = expectData(await t.gql(`{ workers(environment: "dev") { id name mode status consumes appliedVersion } }`));
    expect(workers).toContainEqual({ id: a.workerId, name: 'paper-0', mode: 'PAPER', status: 'READY', consumes: [...CONSUMES].sort(), appliedVersion: active });
  });

  it('a hot-reloadable THRESHOLD saved by an editor during a cycle is applied at the cycle end, not before', async () => {
    const a = agent({ consumes: CONSUMES });
    await a.ready();
    const before = a.get(BUY);
    const snapshot = a.cycleStart();
    const received = nextEvent(a, AgentEvent.Received);
    const version = await save(BUY, '0.6');
    expect((await received).version).toBe(version);
    // Inside the cycle: still the pinned values and version.
    expect(a.get(BUY)).toBe(before);
    expect(snapshot.get(BUY)).toBe(before);
    expect(a.tag()).toEqual({ configVersion: version - 1 });
    expect(a.appliedVersion).toBe(version - 1);
    const changed = nextEvent(a, AgentEvent.ConfigurationChanged);
    a.cycleEnd();
    expect(await changed).toMatchObject({ version, changedKeys: [BUY], pendingRestart: [] });
    expect(a.get(BUY)).toBe(0.6);
    expect(snapshot.get(BUY)).toBe(before); // the old snapshot is immutable
    await a.flush();
    const { workers } = expectData(await t.gql(`{ workers(environment: "dev") { id appliedVersion receivedVersion lagVersions lastAppliedAt } }`));
    expect(workers.find((w: { id: string }) => w.id === a.workerId)).toMatchObject({ appliedVersion: version, receivedVersion: version, lagVersions: 0 });
  });

  it('a non-hot-reloadable change is never applied live: the restart-required flag is raised and reported', async () => {
    const a = agent({ consumes: CONSUMES });
    await a.ready();
    const period = a.get('CVN_RSI_PERIOD') as number;
    const changed = nextEvent(a, AgentEvent.ConfigurationChanged);
    const version = await save('CVN_RSI_PERIOD', String(period + 1));
    expect(await changed).toMatchObject({ version, changedKeys: [], pendingRestart: ['CVN_RSI_PERIOD'] });
    expect(a.get('CVN_RSI_PERIOD')).toBe(period);
    expect(a.pendingRestart).toEqual(['CVN_RSI_PERIOD']);
    await a.flush();
    const { workers } = expectData(await t.gql(`{ workers(environment: "dev") { id pendingRestart appliedVersion } }`));
    expect(workers.find((w: { id: string }) => w.id === a.workerId)).toMatchObject({ pendingRestart: ['CVN_RSI_PERIOD'], appliedVersion: version });
  });

  it('ready() fails fast with every missing or deprecated consumed name, and nothing is registered', async () => {
    const a = agent({ consumes: [BUY, 'CVN_COOLDOWN_BARS', 'CVN_NO_SUCH_PARAMETER'], workerName: 'misdeclared' });
    const error = await a.ready().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigNotReadyError);
    expect((error as ConfigNotReadyError).problems.map((p) => [p.name, p.reason])).toEqual([
      ['CVN_COOLDOWN_BARS', 'DEPRECATED'],
      ['CVN_NO_SUCH_PARAMETER', 'MISSING'],
    ]);
    expect(a.status).toBe(AgentStatus.Error);
    const { workers } = expectData(await t.gql(`{ workers(environment: "dev") { name } }`));
    expect(workers.map((w: { name: string }) => w.name)).not.toContain('misdeclared');
  });

  it('refused credentials are fatal: ERROR, no retry', async () => {
    const a = agent({ consumes: [BUY], token: 'ucp_not-a-token' });
    const failed = nextEvent(a, AgentEvent.Error);
    await expect(a.ready()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await failed).toMatchObject({ fatal: true });
  });

  it('the OpenFeature provider resolves through the agent and emits ConfigurationChanged with flagsChanged', async () => {
    const a = agent({ consumes: CONSUMES });
    const provider = new RuntimeAgentProvider(a);
    await OpenFeature.setProviderAndWait('runtime-agent-test', provider);
    const client = OpenFeature.getClient('runtime-agent-test');
    expect(await client.getNumberValue(BUY, 0)).toBe(a.get(BUY));
    expect(await client.getBooleanDetails('CVN_CUSUM_ENABLED', false)).toMatchObject({ value: true, reason: 'STATIC', flagMetadata: { configVersion: a.appliedVersion } });
    expect(await client.getStringValue('CVN_RISK_POSITION_SIZING', 'x')).toBe('fixed');
    expect(await client.getBooleanDetails(BUY, false)).toMatchObject({ value: false, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getStringDetails('CVN_SIGNAL_THRESHOLD_SELL', 'd')).toMatchObject({ value: 'd', errorCode: ErrorCode.FLAG_NOT_FOUND });

    const changed = within(new Promise<EventDetails | undefined>((resolve) => client.addHandler(ProviderEvents.ConfigurationChanged, resolve)), 10_000, 'ProviderEvents.ConfigurationChanged');
    const version = await save(BUY, '0.62');
    expect(await changed).toMatchObject({ flagsChanged: [BUY], metadata: { configVersion: version } });
    expect(await client.getNumberValue(BUY, 0)).toBe(0.62);
  });

  it('stream cut longer than the staleness budget: STALE, the poll keeps it current, then READY and gap-free again', async () => {
    const socket = partitionableWebSocket();
    const a = agent({ consumes: CONSUMES, webSocketImpl: socket.impl, stalenessBudgetMs: 150, pollIntervalMs: 30 });
    await a.ready();
    const applied: number[] = [];
    a.on(AgentEvent.ConfigurationChanged, ({ version }) => void applied.push(version));
    const vias: string[] = [];
    a.on(AgentEvent.Received, ({ via }) => void vias.push(via));
    // The stream is up once a change arrives through it.
    const first = nextEvent(a, AgentEvent.ConfigurationChanged);
    await save(BUY, '0.63');
    await first;

    const stale = nextEvent(a, AgentEvent.Stale);
    socket.cut();
    await stale;
    expect(a.status).toBe(AgentStatus.Stale);
    const viaPoll = nextEvent(a, AgentEvent.ConfigurationChanged);
    const polled = await save(BUY, '0.64');
    expect((await viaPoll).version).toBe(polled);
    expect(a.get(BUY)).toBe(0.64);

    const back = nextEvent(a, AgentEvent.Ready);
    socket.heal();
    await back;
    const viaStream = nextEvent(a, AgentEvent.ConfigurationChanged);
    const streamed = await save(BUY, '0.65');
    expect((await viaStream).version).toBe(streamed);
    // 'resync' instead of 'stream' when the server dropped the event at subscription start.
    expect(vias.slice(0, 2)).toEqual(['stream', 'poll']);
    expect(['stream', 'resync']).toContain(vias[2]);
    expect(applied).toEqual([polled - 1, polled, streamed]);
  });

  it('a reconnect resumes after the last version received: a change saved while cut is replayed, once', async () => {
    const socket = partitionableWebSocket();
    const a = agent({ consumes: CONSUMES, webSocketImpl: socket.impl, stalenessBudgetMs: 60_000 });
    await a.ready();
    const applied: number[] = [];
    a.on(AgentEvent.ConfigurationChanged, ({ version }) => void applied.push(version));
    const first = nextEvent(a, AgentEvent.ConfigurationChanged);
    const v1 = await save(BUY, '0.66');
    await first;
    socket.cut();
    const v2 = await save(BUY, '0.67');
    const v3 = await save('CVN_CUSUM_ENABLED', 'false');
    const caughtUp = nextEvent(a, AgentEvent.ConfigurationChanged, ({ version }) => version === v3);
    socket.heal();
    await caughtUp;
    expect(applied).toEqual([v1, v2, v3]);
    expect(a.get('CVN_CUSUM_ENABLED')).toBe(false);
    expect(a.status).toBe(AgentStatus.Ready);
  });

  it('survives a server restart: reconnects with backoff and applies the next change', async () => {
    const a = agent({ consumes: CONSUMES });
    await a.ready();
    const first = nextEvent(a, AgentEvent.ConfigurationChanged);
    await save(BUY, '0.68');
    await first;
    await t.restart();
    const after = nextEvent(a, AgentEvent.ConfigurationChanged);
    const version = await save(BUY, '0.69');
    expect((await after).version).toBe(version);
    expect(a.get(BUY)).toBe(0.69);
  });
});
