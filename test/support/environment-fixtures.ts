import { createHash } from 'node:crypto';
import { expectData, type TestApp } from './start-test-app.ts';

/** One environment's objects, made by its own service token where a token can, else by an operator. */
export interface EnvironmentFixtures {
  name: string;
  /** A live token of the environment, and a second one (another worker fleet of the same environment). */
  token: string;
  otherToken: string;
  /** Global ids of the environment-scoped nodes. */
  environmentId: string;
  configVersionId: string;
  changeRequestId: string;
  freezeWindowId: string;
  workerId: string;
  /** A worker the second token registered: the first one may not register its name. */
  otherWorkerName: string;
  runId: string;
  setHash: string;
  setId: string;
}

export const environmentNames = ['dev', 'staging', 'prod'] as const;

/** A critical parameter of the seed: a change to it waits as a change request. */
const criticalParameter = { name: 'CVN_ENRICHMENT_STATEFUL_ENABLED', value: 'shadow' };

/** Makes every environment's fixtures (a set frozen only there, a run, a worker, a pending request, a planned freeze). */
export async function createEnvironmentFixtures(t: TestApp): Promise<Record<string, EnvironmentFixtures>> {
  const fixtures: Record<string, EnvironmentFixtures> = {};
  for (const name of environmentNames) {
    const issue = async (tokenName: string) => expectData(await t.gql(
      `mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment: name, name: tokenName } },
    )).createServiceToken.token as string;
    const token = await issue(`${name}-matrix`);
    const otherToken = await issue(`${name}-matrix-other`);
    const env = expectData(await t.gql(`query ($name: String!) { environment(name: $name) { id activeVersion activeConfig { id } } }`, { name })).environment;
    const set = expectData(await t.gql(
      `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash id } } }`,
      // A commit of its own per environment: equal values would otherwise make one set, known to both.
      { input: { environment: name, code: { commit: createHash('sha1').update(`matrix-${name}`).digest('hex') } } }, { token },
    )).createParameterSet.parameterSet;
    const run = expectData(await t.gql(`mutation ($input: CreateRunInput!) { createRun(input: $input) { id } }`,
      { input: { kind: 'PAPER', name: `${name} matrix run`, parameterSetHash: set.hash } }, { token })).createRun;
    const register = (as: string, workerName: string) => t.gql(`mutation ($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`,
      { input: { name: workerName, mode: 'PAPER', consumes: [] } }, { token: as });
    const worker = expectData(await register(token, `${name}-matrix-worker`)).registerWorker;
    expectData(await register(otherToken, `${name}-matrix-other-worker`));
    const request = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { changeRequest { id } } }`, {
      input: { environment: name, expectedVersion: env.activeVersion, reason: 'matrix fixture', submitForApproval: true, changes: [criticalParameter] },
    }, 'editor')).updateConfig.changeRequest;
    const tomorrow = Date.now() + 86_400_000;
    const window = expectData(await t.gql(`mutation ($input: CreateFreezeWindowInput!) { createFreezeWindow(input: $input) { id } }`, {
      input: { environment: name, startsAt: new Date(tomorrow).toISOString(), endsAt: new Date(tomorrow + 3_600_000).toISOString(), reason: 'matrix fixture' },
    })).createFreezeWindow;
    fixtures[name] = {
      name, token, otherToken,
      environmentId: env.id, configVersionId: env.activeConfig.id, changeRequestId: request.id, freezeWindowId: window.id,
      workerId: worker.id, otherWorkerName: `${name}-matrix-other-worker`, runId: run.id, setHash: set.hash, setId: set.id,
    };
  }
  return fixtures;
}

/** The global ids of an environment's nodes: none may reach a token of another environment. */
export const nodeIdsOf = (f: EnvironmentFixtures): string[] =>
  [f.environmentId, f.configVersionId, f.changeRequestId, f.freezeWindowId, f.workerId, f.runId, f.setId];

/** Everything of an environment a response must not show to another environment's token. */
export const tracesOf = (f: EnvironmentFixtures): string[] => [...nodeIdsOf(f), f.setHash];
