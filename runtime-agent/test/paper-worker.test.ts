import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import type { Decision, PaperWorkerParameter } from '../paper-worker/paper-trader.ts';
import { createPaperWorker, type PaperWorker } from '../paper-worker/run-paper-worker.ts';
import { AgentEvent, AgentMetricName, FORBIDDEN_SECTION_EVENT } from '../src/index.ts';
import { sampleValue, scrape } from '../../test/support/prometheus-exposition.ts';
import { nextEvent } from './support/wait-for.ts';
import { recordingLogger } from './support/recording-logger.ts';

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } changeRequest { id revision } } }`;
const APPROVE = `mutation($input: ReviewChangeRequestInput!) { approveChangeRequest(input: $input) { version } }`;

/** Types a stored value the way the catalog does for the parameters the worker reads. */
function typed(name: PaperWorkerParameter, raw: string): number | boolean {
  return name === 'CVN_ENRICHMENT_PAUSE' || name === 'CVN_EXEC_HALT_NEW_ENTRIES' ? raw === 'true' : Number(raw);
}

describe('the reference paper worker through a stream of changes', () => {
  let t: TestApp;
  let worker: PaperWorker;
  const decisions: Decision[] = [];
  const logger = recordingLogger();

  /** A change as the editor; critical ones go through a second person. */
  async function change(name: string, value: string): Promise<void> {
    const expectedVersion = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    const saved = expectData(await t.gql(UPDATE, {
      input: { environment: 'dev', expectedVersion, reason: `stream ${name}`, changes: [{ name, value }], submitForApproval: true },
    }, 'editor')).updateConfig;
    if (saved.outcome === 'PENDING_APPROVAL') {
      expectData(await t.gql(APPROVE, { input: { id: saved.changeRequest.id, revision: saved.changeRequest.revision, comment: 'ok' } }, 'approver'));
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    const token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "paper-test" }) { token } }`)).createServiceToken.token;
    worker = await createPaperWorker({
      url: t.url, token, historyBars: 300, logger, onDecision: (d) => decisions.push(d),
      agentOptions: { heartbeatIntervalMs: 500 }, metrics: { port: 0 },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it('tags every decision with the version whose values it used, and never applies mid-cycle or mid-position', async () => {
    // Changes are saved while the worker trades: they arrive during cycles
    // (the worker awaits inference and the exchange inside each one) and
    // while positions are open.
    const plan: [number, string, string][] = [];
    for (let step = 5, k = 0; step < 380; step += 9, k += 1) {
      const flip = Math.floor(k / 4) % 2 === 1;
      plan.push([step, ['CVN_SIGNAL_THRESHOLD_BUY', 'CVN_CUSUM_THRESHOLD', 'CVN_COOLDOWN_AFTER_TRADE_BARS', 'CVN_SIGNAL_THRESHOLD_EXIT'][k % 4]!,
        [flip ? '0.42' : '0.46', flip ? '0.8' : '0.6', flip ? '1' : '2', flip ? '0.30' : '0.34'][k % 4]!]);
      if (k % 6 === 0) plan.push([step + 2, 'CVN_RISK_MAX_POSITION_USDC', k % 12 === 0 ? '1500.0' : '1000.0']);
    }
    // Each save commits before the next cycle starts; its notification then
    // reaches the agent during the following cycles' await points.
    for (let step = 0; step < 400; step += 1) {
      for (const [at, name, value] of plan) if (at === step) await change(name, value);
      await worker.step();
    }

    // The kill switch, last: the next decisions without a position pause.
    await change('CVN_ENRICHMENT_PAUSE', 'true');
    const active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion as number;
    for (let i = 0; i < 200 && (worker.agent.appliedVersion < active || worker.trader.position); i += 1) await worker.step();
    expect(worker.agent.appliedVersion).toBe(active);
    const paused = await worker.step();
    expect(paused).toMatchObject({ action: 'paused', configVersion: active, used: { CVN_ENRICHMENT_PAUSE: true } });

    // Every decision's tag explains the values it used.
    const versions = new Map<number, Record<string, string>>();
    for (const version of new Set(decisions.map((d) => d.configVersion))) {
      const data = expectData(await t.gql(`query($n: Int!) { environment(name: "dev") { version(number: $n) { values } } }`, { n: version }));
      versions.set(version, data.environment.version.values);
    }
    expect(versions.size).toBeGreaterThan(20);
    for (const decision of decisions) {
      const values = versions.get(decision.configVersion)!;
      for (const [name, used] of Object.entries(decision.used)) {
        expect({ candle: decision.candle, name, used }).toEqual({ candle: decision.candle, name, used: typed(name as PaperWorkerParameter, values[name]!) });
      }
    }

    // Trades happened, and no risk limit moved under an open position.
    const positions = new Map<number, Decision[]>();
    for (const decision of decisions) if (decision.positionId !== null) positions.set(decision.positionId, [...(positions.get(decision.positionId) ?? []), decision]);
    expect(positions.size).toBeGreaterThan(3);
    for (const [, life] of positions) {
      expect(new Set(life.map((d) => d.used.CVN_RISK_MAX_POSITION_USDC)).size).toBe(1);
    }
    expect(logger.events(FORBIDDEN_SECTION_EVENT)).toEqual([]);

    // The server knows what the worker applied.
    await worker.agent.flush();
    const reported = expectData(await t.gql(`{ workers(environment: "dev") { name appliedVersion lagVersions } }`, {}, 'viewer')).workers;
    expect(reported).toContainEqual({ name: 'paper-1', appliedVersion: active, lagVersions: 0 });
  });

  it('serves the agent\'s metrics on its own /metrics: after an apply, the applied version, the count, the latency and the status', async () => {
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const before = await scrape(worker.metricsUrl!);
    const labels = { environment: 'dev', worker: 'paper-1' };
    const applies = sampleValue(before, AgentMetricName.Applies, labels) as number;
    expect(applies).toBeGreaterThan(20); // the versions of the stream above

    const applied = nextEvent(worker.agent, AgentEvent.ConfigurationChanged);
    await change('CVN_SIGNAL_THRESHOLD_BUY', '0.47');
    const active = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion as number;
    // A THRESHOLD lands at the cycle end: decide until it has.
    for (let i = 0; i < 50 && worker.agent.appliedVersion < active; i += 1) await worker.step();
    expect((await applied).version).toBe(active);

    const samples = await scrape(worker.metricsUrl!);
    expect(sampleValue(samples, AgentMetricName.AppliedVersion, labels)).toBe(active);
    expect(sampleValue(samples, AgentMetricName.Applies, labels)).toBe(applies + 1);
    expect(sampleValue(samples, `${AgentMetricName.SaveToApply}_count`, labels)).toBe(applies + 1);
    expect(sampleValue(samples, AgentMetricName.Status, { ...labels, status: 'READY' })).toBe(1);
    expect(sampleValue(samples, AgentMetricName.PendingRestarts, labels)).toBe(0);
    expect(sampleValue(samples, AgentMetricName.ForbiddenSectionEvents, { ...labels, section: 'cycle' })).toBe(0);
    // The process's own metrics come with them.
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect((await fetch(worker.metricsUrl!.replace(/\/metrics$/, '/other'))).status).toBe(404);
  });
});
