import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';

// Issue 9: a dev token cancelled a prod LIVE run, created a LIVE run on a
// prod parameter set, and a second dev token took an existing worker over by
// registering its name. Every read and write of a token stays inside its
// environment; a worker belongs to the token that registered it.

const CREATE_SET = `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { created parameterSet { hash environment { name } } } }`;
const CREATE_RUN = `mutation ($input: CreateRunInput!) { createRun(input: $input) { id status } }`;
const UPDATE_RUN = `mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id status } }`;
const REGISTER = `mutation ($input: RegisterWorkerInput!) { registerWorker(input: $input) { id name } }`;
const REPORT = `mutation ($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { id status } }`;
const CREATE_TOKEN = `mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token serviceToken { id } } }`;
const REVOKE_TOKEN = `mutation ($id: ID!) { revokeServiceToken(id: $id) { id } }`;

describe('service tokens confined to their environment', () => {
  let t: TestApp;
  const tokens: Record<string, { token: string; id: string }> = {};
  let prodSet: string;
  let prodLiveRun: string;

  const issue = async (environment: string, name: string) => {
    const created = expectData(await t.gql(CREATE_TOKEN, { input: { environment, name } })).createServiceToken;
    return { token: created.token as string, id: created.serviceToken.id as string };
  };

  beforeAll(async () => {
    t = await startTestApp();
    tokens.dev = await issue('dev', 'dev-orchestrator');
    tokens.dev2 = await issue('dev', 'dev-backtests');
    tokens.prod = await issue('prod', 'prod-orchestrator');
    prodSet = expectData(await t.gql(CREATE_SET, { input: { environment: 'prod', code: { commit: 'a1'.repeat(20) } } }, { token: tokens.prod!.token })).createParameterSet.parameterSet.hash;
    prodLiveRun = expectData(await t.gql(CREATE_RUN, { input: { kind: 'LIVE', name: 'prod live', parameterSetHash: prodSet } }, { token: tokens.prod!.token })).createRun.id;
    expectData(await t.gql(UPDATE_RUN, { input: { id: prodLiveRun, status: 'RUNNING' } }, { token: tokens.prod!.token }));
  });
  afterAll(() => t.close());

  it('refuses a dev token cancelling a prod LIVE run', async () => {
    const cancel = await t.gql(UPDATE_RUN, { input: { id: prodLiveRun, status: 'CANCELLED' } }, { token: tokens.dev!.token });
    expect(errorCode(cancel)).toBe('FORBIDDEN');
    const run = await t.sql.query(`SELECT status FROM runs WHERE name = 'prod live'`);
    expect(run.rows[0].status).toBe('RUNNING');
    // The run's own environment still moves it; an operator moves any run.
    expect(expectData(await t.gql(UPDATE_RUN, { input: { id: prodLiveRun, status: 'RUNNING' } }, { token: tokens.prod!.token }))).toBeDefined();
  });

  it('refuses a dev token registering a LIVE run on a prod parameter set', async () => {
    const live = await t.gql(CREATE_RUN, { input: { kind: 'LIVE', name: 'dev on prod', parameterSetHash: prodSet } }, { token: tokens.dev!.token });
    expect(errorCode(live)).toBe('FORBIDDEN');
    const count = await t.sql.query(`SELECT count(*)::int AS n FROM runs WHERE name = 'dev on prod'`);
    expect(count.rows[0].n).toBe(0);
    expect(errorCode(await t.gql(CREATE_SET, { input: { environment: 'prod', code: { commit: 'c3'.repeat(20) } } }, { token: tokens.dev!.token }))).toBe('FORBIDDEN');
  });

  it('lets a token run a set its own environment froze, even when another environment froze the same content first', async () => {
    // Same values in dev and prod (the seed), same factors and code: one set, frozen by both.
    const input = { code: { commit: 'b2'.repeat(20) } };
    const fromProd = expectData(await t.gql(CREATE_SET, { input: { ...input, environment: 'prod' } }, { token: tokens.prod!.token })).createParameterSet;
    const beforeDev = await t.gql(CREATE_RUN, { input: { kind: 'PAPER', name: 'not yet', parameterSetHash: fromProd.parameterSet.hash } }, { token: tokens.dev!.token });
    expect(errorCode(beforeDev)).toBe('FORBIDDEN');
    const fromDev = expectData(await t.gql(CREATE_SET, { input: { ...input, environment: 'dev' } }, { token: tokens.dev!.token })).createParameterSet;
    expect(fromDev).toMatchObject({ created: false, parameterSet: { hash: fromProd.parameterSet.hash, environment: null } });
    const devRun = expectData(await t.gql(CREATE_RUN, { input: { kind: 'PAPER', name: 'dev paper', parameterSetHash: fromDev.parameterSet.hash } }, { token: tokens.dev!.token })).createRun;

    // Each token reads its own environment's runs of the shared set, not the other's.
    const prodRun = expectData(await t.gql(CREATE_RUN, { input: { kind: 'LIVE', name: 'prod shared', parameterSetHash: fromProd.parameterSet.hash } }, { token: tokens.prod!.token })).createRun;
    const seen = async (as: TestUser) => expectData(await t.gql(`query ($hash: String!) {
      parameterSet(hash: $hash) { runs { totalCount edges { node { id } } } }
      runs(parameterSetHash: $hash) { totalCount edges { node { id } } }
    }`, { hash: fromProd.parameterSet.hash }, as));
    const dev = await seen({ token: tokens.dev!.token });
    expect(dev.parameterSet.runs.edges.map((e: any) => e.node.id)).toEqual([devRun.id]);
    expect(dev.runs).toMatchObject({ totalCount: 1, edges: [{ node: { id: devRun.id } }] });
    const prod = await seen({ token: tokens.prod!.token });
    expect(prod.runs.edges.map((e: any) => e.node.id)).toEqual([prodRun.id]);
    const operator = await seen('viewer');
    expect(operator.runs.totalCount).toBe(2);
  });

  it('shows a token only its environment\'s sets and runs: other ones read as absent', async () => {
    const dev = tokens.dev!.token;
    const read = expectData(await t.gql(`query ($hash: String!, $run: ID!) {
      parameterSet(hash: $hash) { hash }
      node(id: $run) { id }
      parameterSets(first: 100) { totalCount edges { node { hash } } }
      runs(first: 100) { totalCount edges { node { id } } }
    }`, { hash: prodSet, run: prodLiveRun }, { token: dev }));
    expect(read.parameterSet).toBeNull();
    expect(read.node).toBeNull();
    expect(read.parameterSets.edges.map((e: any) => e.node.hash)).not.toContain(prodSet);
    expect(read.parameterSets.totalCount).toBe(read.parameterSets.edges.length);
    expect(read.runs.edges.map((e: any) => e.node.id)).not.toContain(prodLiveRun);
    const compare = await t.gql(`query ($a: String!) { compareParameterSets(a: $a, b: $a) { values { name } } }`, { a: prodSet }, { token: dev });
    expect(errorCode(compare)).toBe('NOT_FOUND');
    // Operators read everything.
    const operator = expectData(await t.gql(`query ($hash: String!) { parameterSet(hash: $hash) { hash environment { name } } }`, { hash: prodSet }, 'viewer'));
    expect(operator.parameterSet).toEqual({ hash: prodSet, environment: { name: 'prod' } });
  });

  it('keeps a worker to the token that registered it, and to that token\'s replacement', async () => {
    const worker = expectData(await t.gql(REGISTER, { input: { name: 'paper-7', mode: 'PAPER', consumes: [] } }, { token: tokens.dev!.token })).registerWorker;
    // Another dev token registering the same name would take the worker's reports over.
    const takeover = await t.gql(REGISTER, { input: { name: 'paper-7', mode: 'LIVE', consumes: [] } }, { token: tokens.dev2!.token });
    expect(errorCode(takeover)).toBe('FORBIDDEN');
    const row = await t.sql.query(`SELECT st.name AS token, w.mode FROM workers w JOIN service_tokens st ON st.id = w.token_id WHERE w.name = 'paper-7'`);
    expect(row.rows).toEqual([{ token: 'dev-orchestrator', mode: 'PAPER' }]);
    expect(errorCode(await t.gql(REPORT, { input: { workerId: worker.id, status: 'ERROR' } }, { token: tokens.dev2!.token }))).toBe('FORBIDDEN');
    expectData(await t.gql(REPORT, { input: { workerId: worker.id, status: 'READY' } }, { token: tokens.dev!.token }));
    // The owner itself re-registers (a restart) freely.
    expect(expectData(await t.gql(REGISTER, { input: { name: 'paper-7', mode: 'PAPER', consumes: [] } }, { token: tokens.dev!.token })).registerWorker.id).toBe(worker.id);

    // The owner's token replaced (revoked, a new one under the same name): the worker follows it.
    expectData(await t.gql(REVOKE_TOKEN, { id: tokens.dev!.id }));
    const successor = await issue('dev', 'dev-orchestrator');
    expect(expectData(await t.gql(REGISTER, { input: { name: 'paper-7', mode: 'PAPER', consumes: [] } }, { token: successor.token })).registerWorker.id).toBe(worker.id);
    expectData(await t.gql(REPORT, { input: { workerId: worker.id, status: 'READY' } }, { token: successor.token }));
    // Still no one else's.
    expect(errorCode(await t.gql(REGISTER, { input: { name: 'paper-7', mode: 'PAPER', consumes: [] } }, { token: tokens.dev2!.token }))).toBe('FORBIDDEN');
  });

  it('lets two tokens register one new name at once: one owns it, the other is refused', async () => {
    const [a, b] = await Promise.all([tokens.dev2!, await issue('dev', 'dev-race')].map((tok) =>
      t.gql(REGISTER, { input: { name: 'race-1', mode: 'PAPER', consumes: [] } }, { token: tok.token })));
    const outcomes = [a!, b!].map((r) => errorCode(r) ?? 'registered').sort();
    expect(outcomes).toEqual(['FORBIDDEN', 'registered']);
  });
});
