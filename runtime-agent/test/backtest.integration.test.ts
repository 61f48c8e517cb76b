// Reproducibility (KPI 5, issue 10): the backtest runner against the real
// server. Same hash, same digest; one consumed value changed, another digest;
// a set missing a consumed parameter refused before any candle (ADR-25); and
// the engine bootstrapped on history then fed one candle at a time decides
// exactly as the paper worker does on the same candles (one code path, §P5).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';
import { BacktestError } from '../backtest/backtest-error.ts';
import { backtestSpec } from '../backtest/backtest-spec.ts';
import { readFrozenConfig } from '../backtest/frozen-config.ts';
import { replaySymbol } from '../backtest/replay-symbol.ts';
import { runBacktest } from '../backtest/run-backtest.ts';
import type { Decision } from '../paper-worker/decision-engine.ts';
import { createPaperWorker } from '../paper-worker/run-paper-worker.ts';
import { createCandleSource } from '../paper-worker/synthetic-candles.ts';
import { createGraphQLHttp } from '../src/graphql-http.ts';
import { recordingLogger } from './support/recording-logger.ts';

const CODE = { commit: 'd4'.repeat(20), packages: [{ name: 'cvntrade', version: '4.2.0' }] };
const FREEZE = `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash } } }`;
const RUN = `query ($id: ID!) { run(id: $id) { kind status outputDigest outcomeMessage metadata parameterSet { hash } } }`;
const spec = backtestSpec({ symbols: ['ETHUSDC', 'BTCUSDC'], candles: 3_000, historyBars: 300 });

/** Runs `npm run backtest` as a user would; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'runtime-agent/backtest/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('backtests are reproducible', () => {
  let t: TestApp;
  let token: string;
  let baseSet: string;
  const freeze = async (version?: number) => expectData(await t.gql(FREEZE, { input: { environment: 'dev', code: CODE, ...(version ? { version } : {}) } }, 'editor')).createParameterSet.parameterSet.hash as string;
  const run = async (id: string) => expectData(await t.gql(RUN, { id }, 'viewer')).run;
  const runCount = async () => expectData(await t.gql(`{ runs(kind: BACKTEST) { totalCount } }`)).runs.totalCount as number;

  beforeAll(async () => {
    t = await startTestApp();
    token = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "backtest-runner" }) { token } }`)).createServiceToken.token;
    baseSet = await freeze();
  });
  afterAll(() => t?.close());

  it('the engine bootstrapped on history, then fed one candle at a time, decides exactly as the paper worker on the same candles', async () => {
    const seed = 7;
    const historyBars = 300;
    const live: Decision[] = [];
    const worker = await createPaperWorker({ url: t.url, token, seed, historyBars, logger: recordingLogger(), onDecision: (d) => live.push(d) });
    try {
      for (let i = 0; i < 1_500; i += 1) await worker.step();
    } finally {
      await worker.stop();
    }
    expect(live.some((d) => d.action === 'open') && live.some((d) => d.action === 'close')).toBe(true);

    // The set of the version the worker ran on, read through the API like the runner reads it.
    const frozen = await readFrozenConfig(createGraphQLHttp({ url: `${t.url}/graphql`, token, fetchImpl: fetch as never }), baseSet);
    const source = createCandleSource({ seed });
    const replayed: Decision[] = [];
    await replaySymbol({ config: frozen.config, next: () => source.next(), historyBars, candles: live.length, onDecision: (d) => replayed.push(d) });
    expect(replayed).toEqual(live);
  });

  it('two runs from the same hash record byte-identical digests; a changed consumed value gives another', async () => {
    const before = await runCount();
    const first = await runBacktest({ parameterSetHash: baseSet, spec }, { url: t.url, token });
    const second = await runBacktest({ parameterSetHash: baseSet, spec: backtestSpec({ ...spec, symbols: ['BTCUSDC', 'ETHUSDC'] }) }, { url: t.url, token });
    expect(first.outputDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second.outputDigest).toBe(first.outputDigest);
    expect(first.trades).toBeGreaterThan(0);
    expect(first.decisions).toBe(2 * spec.candles);
    expect(await runCount()).toBe(before + 2);
    for (const id of [first.runId, second.runId]) {
      expect(await run(id)).toMatchObject({ kind: 'BACKTEST', status: 'SUCCEEDED', outputDigest: first.outputDigest, parameterSet: { hash: baseSet }, metadata: { backtest: spec } });
    }

    // One consumed value changed, frozen from its new version: another set, another digest.
    const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
    const saved = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`, {
      input: { environment: 'dev', expectedVersion: activeVersion, reason: 'backtest: a lower buy threshold', changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: '0.5' }] },
    }, 'editor')).updateConfig.version.version;
    const changedSet = await freeze(saved);
    expect(changedSet).not.toBe(baseSet);
    const changed = await runBacktest({ parameterSetHash: changedSet, spec }, { url: t.url, token });
    expect(changed.outputDigest).not.toBe(first.outputDigest);
  });

  it('a set missing a consumed parameter is refused before any candle: a typed error, no run, exit code 2', async () => {
    // A set without CVN_PTE_HORIZON_BARS (as imported history might be), frozen for dev.
    const incomplete = 'e'.repeat(64);
    await t.sql.query(
      `INSERT INTO parameter_sets (hash, environment_id, config_version, catalog_version, "values", catalog_snapshot, factors, code_version)
       SELECT $1, environment_id, config_version, catalog_version, "values" - 'CVN_PTE_HORIZON_BARS', catalog_snapshot - 'CVN_PTE_HORIZON_BARS', factors, code_version
       FROM parameter_sets WHERE hash = $2`,
      [incomplete, baseSet],
    );
    await t.sql.query(`INSERT INTO parameter_set_freezes (parameter_set_hash, environment_id) SELECT $1, environment_id FROM parameter_sets WHERE hash = $1`, [incomplete]);
    const before = await runCount();

    const refused = await runBacktest({ parameterSetHash: incomplete, spec }, { url: t.url, token }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BacktestError);
    expect(refused).toMatchObject({ code: 'PARAMETER_SET_INCOMPLETE', problems: [{ name: 'CVN_PTE_HORIZON_BARS', reason: 'MISSING' }] });

    const { code, stdout, stderr } = await cli(['--parameter-set', incomplete, '--symbols', 'BTCUSDC,ETHUSDC'], { UCP_URL: t.url, UCP_TOKEN: token });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr.trim().split('\n').at(-1)!)).toMatchObject({ event: 'backtest_refused', code: 'PARAMETER_SET_INCOMPLETE', problems: [{ name: 'CVN_PTE_HORIZON_BARS' }] });
    expect(await runCount()).toBe(before);
  });

  it('npm run backtest records the same digest as the library for the same hash and spec', async () => {
    const library = await runBacktest({ parameterSetHash: baseSet, spec }, { url: t.url, token });
    const { code, stdout } = await cli(['--parameter-set', baseSet, '--symbols', 'BTCUSDC,ETHUSDC', '--candles', String(spec.candles), '--history', String(spec.historyBars), '--url', t.url, '--token', token], {});
    expect(code).toBe(0);
    const printed = JSON.parse(stdout);
    expect(printed.outputDigest).toBe(library.outputDigest);
    expect(await run(printed.runId)).toMatchObject({ status: 'SUCCEEDED', outputDigest: library.outputDigest });
  });
});
