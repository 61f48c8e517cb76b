// Sessions that bind themselves (issue 10): a PAPER agent with a code version
// freezes the version it starts on, registers its session run and records its
// first epoch when it becomes ready, records an epoch for every version it
// applies, and ends the session on close; a refusal is loud, a lost answer is
// retried without a second session. Real server, real PostgreSQL, no sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { createPaperWorker } from '../paper-worker/run-paper-worker.ts';
import { AgentEvent, AgentMetricName, createRuntimeAgent, type FetchLike, type RuntimeAgent, type RuntimeAgentOptions } from '../src/index.ts';
import { nextEvent, within } from './support/wait-for.ts';
import { recordingLogger } from './support/recording-logger.ts';

const BUY = 'CVN_SIGNAL_THRESHOLD_BUY';
const CONSUMES = [BUY, 'CVN_RSI_PERIOD'] as const;
const CODE = { commit: 'c3'.repeat(20), packages: [{ name: '@ucp/runtime-agent', version: '0.1.0' }] };
const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;
const FREEZE = `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { created parameterSet { hash } } }`;
const LINEAGE = `query ($id: ID!) {
  run(id: $id) {
    id kind status outcome outcomeMessage startedBy startedAt environment { name } configVersion { version } parameterSet { hash code { commit } }
    epochs(first: 10) { totalCount edges { node { version parameterSetHash appliedAt recordedBy worker { name } parameterSet { hash configVersion } } } }
  }
}`;

describe('paper and live sessions bind themselves', () => {
  let t: TestApp;
  let token: string;
  const agents: RuntimeAgent[] = [];

  function agent(options: Partial<RuntimeAgentOptions<(typeof CONSUMES)[number]>> = {}) {
    const created = createRuntimeAgent({
      url: t.url, token, environment: 'dev', workerName: `session-${agents.length}`, mode: 'PAPER', consumes: CONSUMES,
      heartbeatIntervalMs: 100, applyReportJitterMs: 0, retry: { baseMs: 20, maxMs: 200 }, logger: recordingLogger(),
      session: { codeVersion: CODE }, ...options,
    });
    agents.push(created as unknown as RuntimeAgent);
    return created;
  }

  async function save(value: string): Promise<number> {
    const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
    const saved = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: activeVersion, reason: `session test ${value}`, changes: [{ name: BUY, value }] } }, 'editor');
    return expectData(saved).updateConfig.version.version;
  }

  const lineage = async (id: string) => expectData(await t.gql(LINEAGE, { id }, 'viewer')).run;
  /** The set an operator gets freezing `version` with the same code: the agent's must be that one. */
  const setOf = async (version: number) => expectData(await t.gql(FREEZE, { input: { environment: 'dev', version, code: CODE } }, 'editor')).createParameterSet.parameterSet.hash as string;

  beforeAll(async () => {
    t = await startTestApp();
    token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "session-agent" }) { token } }`)).createServiceToken.token;
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await t?.close();
  });

  it('ready() starts the session on its version; two saves become two more epochs, in order; close() ends it', async () => {
    const a = agent();
    const start = await a.ready();
    await a.flush();
    expect(a.session).toMatchObject({ state: 'RECORDING', recordedEpochs: 1, pendingEpochs: 0 });
    const runId = a.session!.runId;

    const versions = [start.version];
    for (const value of ['0.61', '0.63']) {
      const applied = nextEvent(a, AgentEvent.ConfigurationChanged, (d) => d.changedKeys.includes(BUY) && a.get(BUY) === Number(value));
      versions.push(await save(value));
      expect((await applied).version).toBe(versions.at(-1));
    }
    await a.flush();
    expect(a.session).toMatchObject({ state: 'RECORDING', recordedEpochs: 3, pendingEpochs: 0 });

    const run = await lineage(runId);
    const hashes = [await setOf(versions[0]!), await setOf(versions[1]!), await setOf(versions[2]!)];
    expect(new Set(hashes).size).toBe(3);
    expect(run).toMatchObject({
      kind: 'PAPER', status: 'RUNNING', startedBy: 'token:session-agent', environment: { name: 'dev' },
      configVersion: { version: versions[0] }, parameterSet: { hash: hashes[0], code: { commit: CODE.commit } },
    });
    const epochs = run.epochs.edges.map((e: { node: Record<string, any> }) => e.node);
    expect(run.epochs.totalCount).toBe(3);
    expect(epochs.map((e: Record<string, any>) => [e.version, e.parameterSetHash, e.parameterSet.configVersion, e.worker.name, e.recordedBy])).toEqual(
      versions.map((v, i) => [v, hashes[i], v, 'session-0', 'token:session-agent']),
    );
    const appliedAt = epochs.map((e: Record<string, any>) => Date.parse(e.appliedAt));
    expect([...appliedAt].sort((x, y) => x - y)).toEqual(appliedAt);
    expect(appliedAt[0]).toBe(Date.parse(run.startedAt));
    expect(appliedAt[1]).toBeGreaterThan(appliedAt[0]);

    await a.close();
    expect(await lineage(runId)).toMatchObject({ status: 'SUCCEEDED', outcome: 'SUCCEEDED', epochs: { totalCount: 3 } });
  });

  it('a start whose answer was lost is retried and finds the session it made: one run, one first epoch', async () => {
    let lost = 0;
    const fetchImpl: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      // The server committed the start; the agent never hears so (a network cut on the way back).
      if (init.body.includes('RuntimeAgentStartSession') && lost++ === 0) throw new TypeError('fetch failed: socket hang up');
      return response;
    };
    const logger = recordingLogger();
    const a = agent({ fetchImpl, logger });
    await a.ready();
    await a.flush();
    expect(lost).toBeGreaterThanOrEqual(1);
    expect(a.session).toMatchObject({ state: 'RECORDING', recordedEpochs: 1 });
    expect(logger.events('runtime_agent_session_retry')).toHaveLength(1);
    expect(logger.events('runtime_agent_session_started')).toMatchObject([{ created: false }]);
    expect((await lineage(a.session!.runId)).epochs.totalCount).toBe(1);
    const { runs } = expectData(await t.gql(`{ runs(kind: PAPER, startedBy: "token:session-agent") { totalCount } }`));
    expect(runs.totalCount).toBe(2); // this session and the first test's, not a third
  });

  it('recording never holds the decision loop: with the server slow to answer the start, cycles and applies go on, and epochs still land in order', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const fetchImpl: FetchLike = async (url, init) => {
      if (init.body.includes('RuntimeAgentStartSession')) await held; // the answer is slow in coming
      return fetch(url, init);
    };
    const a = agent({ fetchImpl });
    await within(a.ready(), 10_000, 'ready() while the session start is held');
    await a.cycle(() => a.get(BUY));
    const applied = nextEvent(a, AgentEvent.ConfigurationChanged, (d) => d.changedKeys.includes(BUY));
    const version = await save('0.64');
    expect((await applied).version).toBe(version);
    expect(a.session).toMatchObject({ state: 'STARTING', recordedEpochs: 0, pendingEpochs: 2 });
    release();
    await a.flush();
    expect(a.session).toMatchObject({ state: 'RECORDING', recordedEpochs: 2, pendingEpochs: 0 });
    const epochs = (await lineage(a.session!.runId)).epochs.edges.map((e: { node: { version: number } }) => e.node.version);
    expect(epochs).toEqual([version - 1, version]);
  });

  it('a refused start is loud (state, event, log, metric) and the worker keeps trading', async () => {
    const registry = new (await import('prom-client')).Registry();
    const logger = recordingLogger();
    const a = agent({ session: { codeVersion: { commit: 'main' } }, logger, metrics: { registry } });
    const failed = nextEvent(a, AgentEvent.SessionFailed);
    await a.ready();
    const details = await failed;
    expect(details.message).toMatch(/startSession: .*full commit sha/);
    expect(a.session).toMatchObject({ state: 'FAILED' });
    expect(logger.events('runtime_agent_session_failed')).toHaveLength(1);
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`${AgentMetricName.SessionRecordFailures}\\{[^}]*outcome="given_up"[^}]*\\} 1`));
    // The decision loop is not the recorder's: the agent is READY and its values readable.
    expect(a.status).toBe('READY');
    expect(a.get(BUY)).toBeTypeOf('number');
    await within(a.close(), 5_000, 'close after a refused session');
  });

  it('the reference paper worker binds its session with the code version it is given, and ends it when it stops', async () => {
    const worker = await createPaperWorker({
      url: t.url, token, workerName: 'paper-session', historyBars: 100, logger: recordingLogger(), codeVersion: CODE, agentOptions: { applyReportJitterMs: 0 },
    });
    try {
      for (let i = 0; i < 20; i += 1) await worker.step();
      await worker.agent.flush();
      expect(worker.agent.session).toMatchObject({ state: 'RECORDING', recordedEpochs: 1 });
      expect(await lineage(worker.agent.session!.runId)).toMatchObject({
        kind: 'PAPER', status: 'RUNNING', parameterSet: { code: { commit: CODE.commit } }, epochs: { totalCount: 1, edges: [{ node: { worker: { name: 'paper-session' } } }] },
      });
    } finally {
      await worker.stop();
    }
    expect((await lineage(worker.agent.session!.runId)).status).toBe('SUCCEEDED');
  });
});
