import { expectData, type TestApp, type TestUser } from './start-test-app.ts';

// What the lineage tests build on: tokens, saves, freezes and runs through
// the API, as an operator or an orchestrator would make them.

export const commitA = 'a1'.repeat(20);
export const commitB = 'b2'.repeat(20);
export const codeA = { commit: commitA, packages: [{ name: 'xgboost', version: '2.0.3' }, { name: 'cvntrade', version: '4.2.0' }] };
export const codeB = { ...codeA, commit: commitB };

export const factor = (name: string, variant: string) => ({ name, variant });

export async function createToken(t: TestApp, environment: string, name: string): Promise<string> {
  return expectData(await t.gql(`mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment, name } }))
    .createServiceToken.token;
}

/** Saves `changes` on top of the environment's active version (as an editor by default); returns the new version. */
export async function save(t: TestApp, environment: string, changes: Record<string, string>, reason: string, as: TestUser = 'editor'): Promise<number> {
  const { activeVersion } = expectData(await t.gql(`query ($name: String!) { environment(name: $name) { activeVersion } }`, { name: environment })).environment;
  const saved = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`, {
    input: { environment, expectedVersion: activeVersion, reason, changes: Object.entries(changes).map(([name, value]) => ({ name, value })) },
  }, as));
  return saved.updateConfig.version.version;
}

export interface FreezeInput {
  environment: string;
  version?: number;
  experimentalFactors?: { name: string; variant: string }[];
  code?: typeof codeA;
}

/** Freezes and returns the set's hash. */
export async function freeze(t: TestApp, input: FreezeInput, as: TestUser = 'editor'): Promise<string> {
  return expectData(await t.gql(`mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash } } }`, {
    input: { code: codeA, ...input },
  }, as)).createParameterSet.parameterSet.hash;
}

export interface RunInput {
  kind?: 'EXPERIMENT' | 'BACKTEST' | 'PAPER' | 'LIVE';
  name: string;
  parameterSetHash: string;
  environment?: string;
  configVersion?: number;
  metadata?: Record<string, unknown>;
}

/** Registers a run and returns its id. */
export async function startRun(t: TestApp, input: RunInput, as: TestUser = 'editor'): Promise<string> {
  return expectData(await t.gql(`mutation ($input: CreateRunInput!) { createRun(input: $input) { id } }`, { input: { kind: 'EXPERIMENT', ...input } }, as)).createRun.id;
}

export async function finishRun(t: TestApp, id: string, status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', extra: { outcomeMessage?: string; outputDigest?: string } = {}, as: TestUser = 'editor') {
  return expectData(await t.gql(`mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id status } }`, { input: { id, status, ...extra } }, as)).updateRunStatus;
}
