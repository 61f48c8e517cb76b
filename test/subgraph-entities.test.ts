import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphSchemaFile } from '../schema/schema-file.ts';
import { createToken, factor, freeze, startRun } from './support/lineage-fixtures.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { entitiesQuery, subgraphQuery } from './support/subgraph-client.ts';

// The federation subgraph on /subgraph (issue 14): `_service` and `_entities`
// need credentials, references resolve through the same scoping as the
// direct queries, in one statement per kind however many there are, and the
// limits of /graphql hold there too.

const RUN_LINEAGE = `... on Run { id name parameterSet { hash frozenFrom { version } } configVersion { version reason author { username } } }`;

describe('the federation subgraph', () => {
  let t: TestApp;
  let counting = false;
  let count = 0;
  let devToken: string;
  let prodRun: string;
  let devRun: string;
  const devRuns: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => { if (counting) { count += 1; if (process.env.SHOW_SQL) console.log(e.query.slice(0, 200)); } } });
    devToken = await createToken(t, 'dev', 'dev-orchestrator');
    const devSet = await freeze(t, { environment: 'dev' });
    const prodSet = await freeze(t, { environment: 'prod', experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', '11')] });
    for (let i = 0; i < 100; i += 1) devRuns.push(await startRun(t, { kind: 'BACKTEST', name: `fold ${i}`, parameterSetHash: devSet }));
    devRun = devRuns[0]!;
    prodRun = await startRun(t, { kind: 'EXPERIMENT', name: 'prod experiment', parameterSetHash: prodSet, environment: 'prod' });
  }, 120_000);
  afterAll(() => t.close());

  it('answers _service { sdl } with the committed subgraph SDL, to callers with credentials only', async () => {
    const sdl = expectData(await subgraphQuery(t.url, '{ _service { sdl } }', {}, 'viewer'))._service.sdl;
    expect(`${sdl}\n`).toBe(await readFile(subgraphSchemaFile, 'utf8'));
    const anonymous = await subgraphQuery(t.url, '{ _service { sdl } }', {}, null);
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data?._service ?? null).toBeNull();
    const entities = await subgraphQuery(t.url, entitiesQuery('... on Run { name }'), { representations: [{ __typename: 'Run', id: devRun }] }, null);
    expect(entities.status).toBe(401);
    expect(errorCode(entities)).toBe('UNAUTHENTICATED');
  });

  it('resolves every kind of entity by its natural key', async () => {
    const set = expectData(await t.gql(`query ($id: ID!) { run(id: $id) { parameterSet { hash } } }`, { id: devRun })).run.parameterSet.hash;
    const worker = expectData(await t.gql(`mutation { registerWorker(input: { name: "paper-1", mode: PAPER, consumes: ["CVN_RISK_MAX_POSITION_USDC"] }) { id } }`, {}, { token: devToken })).registerWorker.id;
    const data = expectData(await subgraphQuery(t.url, entitiesQuery(`
      ... on Environment { name activeVersion }
      ... on ConfigVersion { environment { name } version author { username } }
      ... on CatalogEntry { name type }
      ... on ParameterSet { hash }
      ... on Run { id name }
      ... on Worker { id name }`), { representations: [
      { __typename: 'Environment', name: 'prod' },
      { __typename: 'ConfigVersion', environment: { name: 'dev' }, version: 1 },
      { __typename: 'CatalogEntry', name: 'CVN_RISK_MAX_POSITION_USDC' },
      { __typename: 'ParameterSet', hash: set },
      { __typename: 'Run', id: devRun },
      { __typename: 'Worker', id: worker },
      // Missing ones are null, not errors.
      { __typename: 'Run', id: '00000000-0000-0000-0000-000000000000' },
      { __typename: 'CatalogEntry', name: 'NO_SUCH_PARAMETER' },
    ] }, 'viewer'));
    expect(data._entities).toEqual([
      { __typename: 'Environment', name: 'prod', activeVersion: 1 },
      { __typename: 'ConfigVersion', environment: { name: 'dev' }, version: 1, author: expect.objectContaining({ username: expect.any(String) }) },
      { __typename: 'CatalogEntry', name: 'CVN_RISK_MAX_POSITION_USDC', type: expect.any(String) },
      { __typename: 'ParameterSet', hash: set },
      { __typename: 'Run', id: devRun, name: 'fold 0' },
      { __typename: 'Worker', id: worker, name: 'paper-1' },
      null,
      null,
    ]);
  });

  /** The statements of one `_entities` call, counted after a warm-up (the catalog cache filled, as on a running server). */
  async function statements(selection: string, representations: object[]) {
    expectData(await subgraphQuery(t.url, entitiesQuery(selection), { representations }, 'viewer'));
    count = 0;
    counting = true;
    try {
      const data = expectData(await subgraphQuery(t.url, entitiesQuery(selection), { representations }, 'viewer'));
      return { count, data };
    } finally {
      counting = false;
    }
  }

  it('makes the same number of SQL statements for 100 references as for 1', async () => {
    const runs = (ids: string[]) => ids.map((id) => ({ __typename: 'Run', id }));
    const one = await statements(RUN_LINEAGE, runs([devRun]));
    const hundred = await statements(RUN_LINEAGE, runs(devRuns));
    expect(one.data._entities).toHaveLength(1);
    expect(hundred.data._entities).toHaveLength(100);
    expect(hundred.data._entities.every((run: any) => run.parameterSet.hash && run.configVersion.author.username)).toBe(true);
    expect(hundred.data._entities.map((run: any) => run.id)).toEqual(devRuns);
    expect(hundred.count).toBe(one.count);
    console.info(`_entities with a run's lineage: ${one.count} SQL statements for 1 reference, ${hundred.count} for 100`);

    // Another kind, with a relation of its own: the same again.
    const names = expectData(await t.gql(`{ catalog(first: 100) { edges { node { name } } } }`)).catalog.edges.map((e: any) => e.node.name as string);
    const entries = (list: string[]) => list.map((name) => ({ __typename: 'CatalogEntry', name }));
    const ENTRY = '... on CatalogEntry { name type history { revision } }';
    const oneEntry = await statements(ENTRY, entries(names.slice(0, 1)));
    const hundredEntries = await statements(ENTRY, entries(names));
    expect(hundredEntries.data._entities.map((e: any) => e.name)).toEqual(names);
    expect(hundredEntries.count).toBe(oneEntry.count);
  });

  it('gives a reference no more than the direct query: a dev token\'s prod run is absent, prod itself refused', async () => {
    const as = { token: devToken };
    // The direct queries first: what the reference must match.
    expect(expectData(await t.gql(`query ($id: ID!) { run(id: $id) { id } }`, { id: prodRun }, as)).run).toBeNull();
    expect(errorCode(await t.gql(`{ environment(name: "prod") { name } }`, {}, as))).toBe('FORBIDDEN');

    const runs = expectData(await subgraphQuery(t.url, entitiesQuery('... on Run { id name }'), { representations: [
      { __typename: 'Run', id: prodRun }, { __typename: 'Run', id: devRun },
    ] }, as));
    expect(runs._entities).toEqual([null, { __typename: 'Run', id: devRun, name: 'fold 0' }]);

    const environments = await subgraphQuery(t.url, entitiesQuery('... on Environment { name } ... on ConfigVersion { reason }'), { representations: [
      { __typename: 'Environment', name: 'prod' }, { __typename: 'ConfigVersion', environment: { name: 'prod' }, version: 1 }, { __typename: 'Environment', name: 'dev' },
    ] }, as);
    expect(environments.data?._entities).toEqual([null, null, { __typename: 'Environment', name: 'dev' }]);
    // Errors in no particular order (they are listed as the resolvers settle): by path.
    const byPath = (environments.errors ?? []).map((e) => [e.path, e.extensions?.code]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(byPath).toEqual([[['_entities', 0], 'FORBIDDEN'], [['_entities', 1], 'FORBIDDEN']]);
  });

  it('holds /graphql\'s limits: list items, page caps, depth', async () => {
    const tooMany = Array.from({ length: 1_001 }, () => ({ __typename: 'Run', id: devRun }));
    const list = await subgraphQuery(t.url, entitiesQuery('... on Run { id }'), { representations: tooMany }, 'viewer');
    expect(errorCode(list)).toBe('LIMIT_EXCEEDED');
    const page = await subgraphQuery(t.url, entitiesQuery('... on ParameterSet { runs(first: 1000) { edges { node { id } } } }'), { representations: [{ __typename: 'ParameterSet', hash: 'x' }] }, 'viewer');
    expect(errorCode(page)).toBe('LIMIT_EXCEEDED');
    const deep = await subgraphQuery(t.url, entitiesQuery('... on Run { parameterSet { runs { edges { node { parameterSet { runs { edges { node { parameterSet { hash } } } } } } } } } }'), { representations: [{ __typename: 'Run', id: devRun }] }, 'viewer');
    expect(errorCode(deep)).toBe('LIMIT_EXCEEDED');
  });
});
