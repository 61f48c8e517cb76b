import { expect } from '@playwright/test';
import type { ConsoleApp, GqlResult } from './fixtures.ts';

// What the runs specs build on, through the API as an orchestrator would:
// a saved version with a reason, two sets (one with a factor), finished runs
// with digests, and a paper session with an epoch.

export const commit = 'c3'.repeat(20);
const code = { commit, packages: [{ name: 'xgboost', version: '2.0.3' }, { name: 'cvntrade', version: '4.2.0' }] };

export function data<T = any>(result: GqlResult<T>): T {
  expect(result.errors).toBeUndefined();
  return result.data!;
}

export interface Lineage {
  baseSet: string;
  factorSet: string;
  /** dev@2: CVN_ATR_PERIOD 21, by the editor, "Longer ATR after the March review". */
  version: number;
  baseline: string;
  trial: string;
  session: string;
  /** A BACKTEST on the base values under another commit (FORBIDDEN against the baseline). */
  otherCode: string;
}

export async function seedLineage(app: ConsoleApp): Promise<Lineage> {
  const saved = data(await app.gql(`mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "Longer ATR after the March review", changes: [{ name: "CVN_ATR_PERIOD", value: "21" }] }) { version { version } } }`, {}, 'editor'));
  const version = saved.updateConfig.version.version as number;
  const freeze = async (experimentalFactors: { name: string; variant: string }[] = [], withCode = code) =>
    data(await app.gql(`mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash } } }`, { input: { environment: 'dev', code: withCode, experimentalFactors } }, 'editor')).createParameterSet.parameterSet.hash as string;
  const start = async (kind: string, name: string, parameterSetHash: string, as: 'editor' | { token: string } = 'editor') =>
    data(await app.gql(`mutation ($input: CreateRunInput!) { createRun(input: $input) { id } }`, { input: { kind, name, parameterSetHash, metadata: { folds: 5 } } }, as)).createRun.id as string;
  const finish = async (id: string, outputDigest: string, as: 'editor' | { token: string } = 'editor') =>
    data(await app.gql(`mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id } }`, { input: { id, status: 'SUCCEEDED', outputDigest } }, as));

  const baseSet = await freeze();
  const factorSet = await freeze([{ name: 'CVN_RSI_PERIOD', variant: '21' }]);
  const baseline = await start('EXPERIMENT', 'atr baseline', baseSet);
  await finish(baseline, `sha256:${'0a'.repeat(32)}`);
  const trial = await start('EXPERIMENT', 'rsi trial 21', factorSet);
  await finish(trial, `sha256:${'1b'.repeat(32)}`);

  const token = data(await app.gql(`mutation { createServiceToken(input: { environment: "dev", name: "paper-agent" }) { token } }`)).createServiceToken.token as string;
  const session = await start('PAPER', 'paper session dev', baseSet, { token });
  data(await app.gql(`mutation ($input: RecordSessionEpochInput!) { recordSessionEpoch(input: $input) { id } }`, {
    input: { run: session, configVersion: version, parameterSetHash: baseSet, appliedAt: new Date().toISOString() },
  }, { token }));
  const otherCode = await start('BACKTEST', 'new commit backtest', await freeze([], { ...code, commit: 'd4'.repeat(20) }));
  return { baseSet, factorSet, version, baseline, trial, session, otherCode };
}
