// "Re-run identical" of a backtest (issue 10 for issue 11's console): rerunRun
// queues a PENDING backtest on the same set, and the product runs it in its own
// process with the same runner as `npm run backtest`, through the API, and
// records RUNNING → SUCCEEDED with the digest. Survives a restart; fails loudly.
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBacktestExecutor } from '../app/backtest-executor.ts';
import { backtestSpec } from '../runtime-agent/backtest/backtest-spec.ts';
import { runBacktest } from '../runtime-agent/backtest/run-backtest.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { codeA, createToken, freeze, startRun } from './support/lineage-fixtures.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

const RERUN = `mutation ($input: RerunRunInput!) { rerunRun(input: $input) { id status } }`;
const RUN = `query ($id: ID!) { run(id: $id) { status outputDigest outcomeMessage rerunOf { id } parameterSet { hash } metadata } }`;
const localRunId = (globalId: string) => decodeGlobalID(globalId).id;
const spec = backtestSpec({ symbols: ['BTCUSDC', 'ETHUSDC'], candles: 1_500, historyBars: 200 });

describe('re-running a backtest runs it again', () => {
  let t: TestApp;
  let token: string;
  let hash: string;
  let original: { runId: string; outputDigest: string };

  const run = async (id: string) => expectData(await t.gql(RUN, { id }, 'viewer')).run;
  const rerun = async (id: string) => expectData(await t.gql(RERUN, { input: { run: id } }, 'editor')).rerunRun as { id: string; status: string };

  beforeAll(async () => {
    // A long poll: every pass in these tests is a wake-up or a start, never the timer.
    t = await startTestApp({ options: { backtests: { pollIntervalMs: 600_000 } } });
    token = await createToken(t, 'dev', 'backtest-cli');
    hash = await freeze(t, { environment: 'dev', code: codeA });
    original = await runBacktest({ parameterSetHash: hash, spec }, { url: t.url, token });
  });
  afterAll(() => t?.close());

  it('rerunRun of a backtest queues it PENDING and the product records RUNNING → SUCCEEDED with the same digest', async () => {
    const queued = await rerun(original.runId);
    expect(queued.status).toBe('PENDING');
    await t.app.backtests!.idle();
    expect(await run(queued.id)).toMatchObject({
      status: 'SUCCEEDED', outputDigest: original.outputDigest, rerunOf: { id: original.runId }, parameterSet: { hash }, metadata: { backtest: spec },
    });
    // Its token was the job's alone, and is gone.
    const { serviceTokens } = expectData(await t.gql(`{ serviceTokens(includeRevoked: true) { name revokedAt } }`));
    expect(serviceTokens.filter((s: { name: string }) => s.name.startsWith('backtest-executor '))).toEqual([{ name: `backtest-executor ${localRunId(queued.id)}`, revokedAt: expect.any(String) }]);
  });

  it('a backtest queued while no executor ran is picked up when the server starts again', async () => {
    await t.app.backtests!.stop();
    const queued = await rerun(original.runId);
    expect((await run(queued.id)).status).toBe('PENDING');
    await t.restart();
    await t.app.backtests!.idle();
    expect(await run(queued.id)).toMatchObject({ status: 'SUCCEEDED', outputDigest: original.outputDigest });
  });

  it('a re-run that cannot be replayed (no backtest spec on the run) ends FAILED with why, never stays queued', async () => {
    const bare = await startRun(t, { kind: 'BACKTEST', name: 'registered by hand', parameterSetHash: hash, metadata: { note: 'no spec' } });
    const queued = await rerun(bare);
    await t.app.backtests!.idle();
    expect(await run(queued.id)).toMatchObject({ status: 'FAILED', outputDigest: null, outcomeMessage: expect.stringMatching(/^INVALID_SPEC: The run has no backtest spec/) });
  });

  it('a backtest a dead process left RUNNING is failed loudly on start', async () => {
    await t.app.backtests!.stop();
    const queued = await rerun(original.runId);
    // Claimed by an executor that then died (its claim is in the audit trail).
    expectData(await t.gql(`mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id } }`, { input: { id: queued.id, status: 'RUNNING', expectedStatus: 'PENDING' } }, { token }));
    const executor = startBacktestExecutor({
      url: t.url, runs: t.app.reads.runs, access: t.app.services.access, logger: createLogger({ level: 'silent' }), pollIntervalMs: 600_000, abandonedAfterMs: 0,
    });
    await executor.idle();
    await executor.stop();
    expect(await run(queued.id)).toMatchObject({ status: 'FAILED', outcomeMessage: expect.stringMatching(/^ABANDONED/) });
  });
});
