// The agent's own metrics in the worker's registry: the series and their
// labels on a prom-client Registry, the bounds (an agent that closes stops
// being reported; labels only from the worker's configuration and fixed sets),
// then one agent against the real server. No sleeps: waits are on agent events.
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_STATUSES } from '../../contract/protocol.ts';
import { parseExposition, sampleValue, samplesOf, type Sample } from '../../test/support/prometheus-exposition.ts';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { createAgentMetrics, type AgentState } from '../src/agent-metrics.ts';
import { AgentError, AgentEvent, AgentMetricName, createRuntimeAgent, FORBIDDEN_SECTIONS, SAVE_TO_APPLY_BUCKETS, type RuntimeAgent } from '../src/index.ts';
import { nextEvent } from './support/wait-for.ts';
import { recordingLogger } from './support/recording-logger.ts';

const scrapeRegistry = async (registry: Registry) => parseExposition(await registry.metrics());
const agentSeries = (samples: Sample[]) => samples.filter((s) => s.name.startsWith('ucp_agent_'));

describe('agent metrics in a prom-client registry', () => {
  const state: AgentState = { status: 'READY', appliedVersion: 7, receivedVersion: 8, pendingRestarts: 2 };
  const labels = { environment: 'dev', worker: 'paper-1' };

  it('reports status, versions and pending restarts as gauges read at scrape time', async () => {
    const registry = new Registry();
    const metrics = createAgentMetrics({ registry, environment: 'dev', workerName: 'paper-1', state: () => state });
    let samples = await scrapeRegistry(registry);
    expect(samplesOf(samples, AgentMetricName.Status, labels).map((s) => [s.labels.status, s.value])).toEqual(WORKER_STATUSES.map((s) => [s, s === 'READY' ? 1 : 0]));
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, labels)).toBe(7);
    expect(sampleValue(samples, AgentMetricName.ReceivedVersion, labels)).toBe(8);
    expect(sampleValue(samples, AgentMetricName.PendingRestarts, labels)).toBe(2);

    state.status = 'STALE';
    state.appliedVersion = 8;
    samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.Status, { ...labels, status: 'STALE' })).toBe(1);
    expect(sampleValue(samples, AgentMetricName.Status, { ...labels, status: 'READY' })).toBe(0);
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, labels)).toBe(8);
    metrics.close();
  });

  it('counts applies and forbidden-section refusals (every section from 0), and observes save-to-apply latency in the server\'s buckets', async () => {
    const registry = new Registry();
    const metrics = createAgentMetrics({ registry, environment: 'dev', workerName: 'paper-1', state: () => state });
    let samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.Applies, labels)).toBe(0);
    expect(samplesOf(samples, AgentMetricName.ForbiddenSectionEvents, labels).map((s) => [s.labels.section, s.value])).toEqual(FORBIDDEN_SECTIONS.map((s) => [s, 0]));

    const saved = new Date('2026-12-01T10:00:00.000Z');
    metrics.applied({ createdAt: saved, appliedAt: new Date(saved.getTime() + 40) });
    metrics.applied({ createdAt: saved, appliedAt: new Date(saved.getTime() + 3_000) });
    metrics.applied({ createdAt: saved, appliedAt: new Date(saved.getTime() - 5) }); // clock skew: counted as 0
    metrics.applied({ appliedAt: new Date() }); // commit time unknown: counted, not observed
    metrics.forbiddenSection('critical_section');

    samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.Applies, labels)).toBe(4);
    expect(sampleValue(samples, AgentMetricName.ForbiddenSectionEvents, { ...labels, section: 'critical_section' })).toBe(1);
    expect(sampleValue(samples, AgentMetricName.ForbiddenSectionEvents, { ...labels, section: 'cycle' })).toBe(0);
    const bucket = (le: string) => sampleValue(samples, `${AgentMetricName.SaveToApply}_bucket`, { ...labels, le });
    expect(samplesOf(samples, `${AgentMetricName.SaveToApply}_bucket`, labels).map((s) => s.labels.le)).toEqual([...SAVE_TO_APPLY_BUCKETS.map(String), '+Inf']);
    expect([bucket('0.005'), bucket('0.025'), bucket('0.05'), bucket('2.5'), bucket('5'), bucket('+Inf')]).toEqual([1, 1, 2, 2, 3, 3]);
    expect(sampleValue(samples, `${AgentMetricName.SaveToApply}_count`, labels)).toBe(3);
    expect(sampleValue(samples, `${AgentMetricName.SaveToApply}_sum`, labels)).toBeCloseTo(3.04, 6);
    // The JSON form (prom-client's cluster aggregation reads it) carries the same samples.
    const json = await registry.getMetricsAsJSON();
    expect(json.find((m) => m.name === AgentMetricName.Applies)).toMatchObject({ type: 'counter', values: [{ labels, value: 4 }] });
    metrics.close();
  });

  it('keeps several agents apart by environment and worker, and drops an agent\'s series when it closes', async () => {
    const registry = new Registry();
    const a = createAgentMetrics({ registry, environment: 'dev', workerName: 'paper-1', state: () => state });
    const b = createAgentMetrics({ registry, environment: 'prod', workerName: 'live-1', state: () => ({ ...state, appliedVersion: 3 }) });
    let samples = await scrapeRegistry(registry);
    expect(samplesOf(samples, AgentMetricName.AppliedVersion).map((s) => [s.labels, s.value])).toEqual([[labels, state.appliedVersion], [{ environment: 'prod', worker: 'live-1' }, 3]]);
    // A second agent under the same name would report the same series twice.
    expect(() => createAgentMetrics({ registry, environment: 'dev', workerName: 'paper-1', state: () => state })).toThrow(AgentError);

    a.close();
    samples = await scrapeRegistry(registry);
    expect(agentSeries(samples).some((s) => s.labels.worker === 'paper-1')).toBe(false);
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, { worker: 'live-1' })).toBe(3);
    b.close();
    expect(await registry.metrics()).not.toContain('ucp_agent_');
    expect(registry.getMetricsAsArray()).toEqual([]);
  });

  it('refuses a registry where a metric of the same name is not the agent\'s, and leaves it as it was', () => {
    const registry = new Registry();
    new Counter({ name: AgentMetricName.Applies, help: 'someone else\'s', registers: [registry] });
    expect(() => createAgentMetrics({ registry, environment: 'dev', workerName: 'paper-1', state: () => state })).toThrow(/already registered/);
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual([AgentMetricName.Applies]);
  });

  it('reports nothing before the first version is loaded but the status', async () => {
    const registry = new Registry();
    const metrics = createAgentMetrics({ registry, environment: 'dev', workerName: 'w', state: () => ({ status: 'NOT_READY', appliedVersion: 0, receivedVersion: 0, pendingRestarts: 0 }) });
    const samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.Status, { status: 'NOT_READY' })).toBe(1);
    expect(samplesOf(samples, AgentMetricName.AppliedVersion)).toEqual([]);
    metrics.close();
  });
});

describe('a runtime agent with a metrics registry, against the real server', () => {
  const BUY = 'CVN_SIGNAL_THRESHOLD_BUY';
  const PERIOD = 'CVN_RSI_PERIOD'; // not hot-reloadable: waits for a restart
  const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;
  let t: TestApp;
  let agent: RuntimeAgent<typeof BUY | typeof PERIOD>;
  const registry = new Registry();
  const labels = { environment: 'dev', worker: 'metrics-agent' };
  let active = 0;

  const save = async (name: string, value: string) => {
    active = expectData(await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: active, reason: `metrics ${name}`, changes: [{ name, value }] } }, 'editor')).updateConfig.version.version;
    return active;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "agent-metrics" }) { token } }`)).createServiceToken.token as string;
    active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    agent = createRuntimeAgent({
      url: t.url, token, environment: 'dev', workerName: labels.worker, mode: 'PAPER', consumes: [BUY, PERIOD],
      logger: recordingLogger(), heartbeatIntervalMs: 600_000, applyReportJitterMs: 0, metrics: { registry },
    });
  });
  afterAll(async () => {
    await agent?.close();
    await t?.close();
  });

  it('reports NOT_READY before ready(), then READY and the loaded version', async () => {
    expect(sampleValue(await scrapeRegistry(registry), AgentMetricName.Status, { ...labels, status: 'NOT_READY' })).toBe(1);
    await agent.ready();
    const samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.Status, { ...labels, status: 'READY' })).toBe(1);
    expect(sampleValue(samples, AgentMetricName.Status, { ...labels, status: 'NOT_READY' })).toBe(0);
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, labels)).toBe(active);
    expect(sampleValue(samples, AgentMetricName.Applies, labels)).toBe(0);
  });

  it('counts an apply with its save-to-apply latency, measured from the version\'s commit time', async () => {
    const changed = nextEvent(agent, AgentEvent.ConfigurationChanged);
    const before = Date.now();
    const version = await save(BUY, '0.61');
    await changed;
    const samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, labels)).toBe(version);
    expect(sampleValue(samples, AgentMetricName.Applies, labels)).toBe(1);
    expect(sampleValue(samples, `${AgentMetricName.SaveToApply}_count`, labels)).toBe(1);
    const latency = sampleValue(samples, `${AgentMetricName.SaveToApply}_sum`, labels) as number;
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(latency).toBeLessThan((Date.now() - before) / 1000 + 0.05);
  });

  it('shows a version held for its boundary as received ahead of applied, and a restart-required change as a pending restart', async () => {
    agent.cycleStart();
    const received = nextEvent(agent, AgentEvent.Received);
    const held = await save(BUY, '0.62');
    await received;
    let samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.ReceivedVersion, labels)).toBe(held);
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, labels)).toBe(held - 1);
    const applied = nextEvent(agent, AgentEvent.ConfigurationChanged);
    agent.cycleEnd();
    await applied;

    const flagged = nextEvent(agent, AgentEvent.ConfigurationChanged);
    await save(PERIOD, String((agent.get(PERIOD) as number) + 1));
    await flagged;
    samples = await scrapeRegistry(registry);
    expect(sampleValue(samples, AgentMetricName.PendingRestarts, labels)).toBe(1);
    expect(sampleValue(samples, AgentMetricName.Applies, labels)).toBe(3);
    expect(sampleValue(samples, `${AgentMetricName.SaveToApply}_count`, labels)).toBe(3);
    expect(samplesOf(samples, AgentMetricName.ForbiddenSectionEvents, labels).every((s) => s.value === 0)).toBe(true);
    // Every label is one of the worker's own or from a fixed set.
    for (const sample of agentSeries(samples)) {
      expect(sample.labels).toMatchObject(labels);
      expect(Object.keys(sample.labels).every((k) => ['environment', 'worker', 'status', 'section', 'le'].includes(k))).toBe(true);
    }
  });

  it('stops reporting once closed', async () => {
    await agent.close();
    expect(agentSeries(await scrapeRegistry(registry))).toEqual([]);
  });
});
