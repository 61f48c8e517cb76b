import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType,
  type GraphQLField, type GraphQLInputType,
} from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.ts';
import { startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';
import { createEnvironmentFixtures, environmentNames, nodeIdsOf, tracesOf, type EnvironmentFixtures } from './support/environment-fixtures.ts';

// `monitor` is a read-only token of every environment (Grafana): allowed nowhere.
type Caller = 'anonymous' | 'viewer' | 'editor' | 'approver' | 'admin' | 'service' | 'monitor';
const callers: Caller[] = ['anonymous', 'viewer', 'editor', 'approver', 'admin', 'service', 'monitor'];

/**
 * Who may call each mutation. Roles are cumulative (an approver can do what
 * an editor can). Every mutation of the schema must appear here: a new one
 * fails this test until someone decides who may call it.
 */
const allowed: Record<string, Caller[]> = {
  updateConfig: ['editor', 'approver', 'admin'],
  restoreConfigVersion: ['editor', 'approver', 'admin'],
  promoteConfig: ['editor', 'approver', 'admin'],
  updateChangeRequest: ['editor', 'approver', 'admin'],
  withdrawChangeRequest: ['editor', 'approver', 'admin'],
  approveChangeRequest: ['approver', 'admin'],
  rejectChangeRequest: ['approver', 'admin'],
  createCatalogEntry: ['admin'],
  updateCatalogEntry: ['admin'],
  deprecateCatalogEntry: ['admin'],
  createRule: ['admin'],
  updateRule: ['admin'],
  createFreezeWindow: ['admin'],
  cancelFreezeWindow: ['admin'],
  createUser: ['admin'],
  updateUser: ['admin'],
  setPassword: ['viewer', 'editor', 'approver', 'admin'],
  createServiceToken: ['admin'],
  revokeServiceToken: ['admin'],
  createParameterSet: ['editor', 'approver', 'admin', 'service'],
  createRun: ['editor', 'approver', 'admin', 'service'],
  updateRunStatus: ['editor', 'approver', 'admin', 'service'],
  rerunRun: ['editor', 'approver', 'admin'],
  recordSessionEpoch: ['service'],
  startSession: ['service'],
  registerWorker: ['service'],
  reportWorkerStatus: ['service'],
  reportWorkerApply: ['service'],
};

/** A type-valid placeholder for an argument: the call must reach authorization, not fail GraphQL validation. */
function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, placeholder(f.type)]));
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int': return 1;
      case 'Float': return 1.5;
      case 'Boolean': return false;
      case 'DateTime': return new Date(Date.now() + 3_600_000).toISOString();
      case 'JSON': return {};
      default: return 'placeholder';
    }
  }
  throw new Error(`no placeholder for ${String(type)}`);
}

function operationFor(field: GraphQLField<unknown, unknown>) {
  const args = field.args.filter((a) => isNonNullType(a.type));
  const declarations = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passing = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const isLeaf = isScalarType(getNamedType(field.type)) || isEnumType(getNamedType(field.type));
  return {
    query: `mutation${declarations ? `(${declarations})` : ''} { ${field.name}${passing ? `(${passing})` : ''}${isLeaf ? '' : ' { __typename }'} }`,
    variables: Object.fromEntries(args.map((a) => [a.name, placeholder(a.type)])),
  };
}

describe('RBAC: every mutation for every role', () => {
  let t: TestApp;
  let serviceToken: string;
  let monitorToken: string;
  const mutations = Object.values(buildSchema().getMutationType()!.getFields());

  beforeAll(async () => {
    t = await startTestApp();
    serviceToken = `ucp_${randomBytes(24).toString('base64url')}`;
    const sql = new pg.Client({ connectionString: t.db.url });
    await sql.connect();
    try {
      await sql.query(
        `INSERT INTO service_tokens (id, name, token_hash, environment_id, created_by_id)
         SELECT gen_random_uuid(), 'rbac-worker', $1, e.id, u.id FROM environments e, users u WHERE e.name = 'dev' AND u.username = 'admin'`,
        [createHash('sha256').update(serviceToken).digest('hex')],
      );
      monitorToken = `ucp_${randomBytes(24).toString('base64url')}`;
      await sql.query(
        `INSERT INTO service_tokens (id, name, token_hash, environment_id, created_by_id)
         SELECT gen_random_uuid(), 'rbac-monitor', $1, NULL, u.id FROM users u WHERE u.username = 'admin'`,
        [createHash('sha256').update(monitorToken).digest('hex')],
      );
    } finally {
      await sql.end();
    }
  });
  afterAll(() => t.close());

  it('has a decision for every mutation in the schema', () => {
    expect(mutations.map((m) => m.name).filter((name) => !(name in allowed))).toEqual([]);
  });

  it('answers UNAUTHENTICATED without a credential, FORBIDDEN without the role, and lets the allowed roles through', async () => {
    const outcomes: string[] = [];
    for (const field of mutations) {
      const { query, variables } = operationFor(field);
      for (const caller of callers) {
        const as: TestUser = caller === 'anonymous' ? null : caller === 'service' ? { token: serviceToken } : caller === 'monitor' ? { token: monitorToken } : caller;
        const response = await t.gql(query, variables, as);
        const code = response.errors?.[0]?.extensions?.code as string | undefined;
        const expected = caller === 'anonymous' ? 'UNAUTHENTICATED' : (allowed[field.name] ?? []).includes(caller) ? 'allowed' : 'FORBIDDEN';
        const actual = code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'allowed';
        // A caller let through may still fail on the placeholder arguments
        // (NOT_FOUND, VALIDATION_FAILED, ...): that is past authorization.
        if (actual !== expected) outcomes.push(`${field.name} as ${caller}: expected ${expected}, got ${code ?? 'success'} (${response.errors?.[0]?.message ?? ''})`);
        if (code === 'INTERNAL_SERVER_ERROR') outcomes.push(`${field.name} as ${caller}: unexpected error`);
      }
    }
    expect(outcomes).toEqual([]);
  });
});

/**
 * Where a mutation argument names an environment or an object: the value a
 * token of another environment (`foreign`) or another token of the same one
 * (`sibling`) would send. `global`: what it names belongs to no environment
 * (catalog entries, rules, users, parameter names). `sane`: a value that lets
 * the call reach its ownership check (the placeholder would fail earlier).
 * Every such argument must be decided here.
 */
type ArgumentValue = (foreign: EnvironmentFixtures, own: EnvironmentFixtures) => unknown;
const foreignArgs: Record<string, ArgumentValue | 'global'> = {
  'CreateParameterSetInput.environment': (f) => f.name,
  'CreateParameterSetInput.codeVersion': () => ({ commit: 'e5'.repeat(20) }),
  'CreateRunInput.parameterSetHash': (f) => f.setHash,
  'CreateRunInput.environment': (f) => f.name,
  'RecordSessionEpochInput.parameterSetHash': (f) => f.setHash,
  'RecordSessionEpochInput.appliedAt': () => new Date().toISOString(),
  'UpdateRunStatusInput.id': (f) => f.runId,
  // A new session's id is the agent's own choice; what confines it is the environment.
  'StartSessionInput.id': () => randomUUID(),
  'StartSessionInput.environment': (f) => f.name,
  'StartSessionInput.startedAt': () => new Date().toISOString(),
  'StartSessionInput.name': 'global',
  'StartSessionInput.code': () => ({ commit: 'e5'.repeat(20) }),
  'ReportWorkerStatusInput.workerId': (f) => f.workerId,
  'ReportWorkerApplyInput.workerId': (f) => f.workerId,
  'ReportWorkerApplyInput.receivedAt': () => new Date().toISOString(),
  'ReportWorkerApplyInput.appliedAt': () => new Date().toISOString(),
  // A worker belongs to the token that registered it, in its own environment too.
  'RegisterWorkerInput.name': (_f, own) => own.otherWorkerName,
  'RegisterWorkerInput.consumes': () => [],
  'UpdateConfigInput.environment': (f) => f.name,
  'RestoreConfigInput.environment': (f) => f.name,
  'PromoteConfigInput.from': (f) => f.name,
  'PromoteConfigInput.to': (f) => f.name,
  'CreateFreezeWindowInput.environment': (f) => f.name,
  'CancelFreezeWindowInput.id': (f) => f.freezeWindowId,
  'ReviewChangeRequestInput.id': (f) => f.changeRequestId,
  'UpdateChangeRequestInput.id': (f) => f.changeRequestId,
  'withdrawChangeRequest(id)': (f) => f.changeRequestId,
  'CreateServiceTokenInput.environment': (f) => f.name,
  'CreateServiceTokenInput.name': 'global',
  'revokeServiceToken(id)': 'global',
  'CreateCatalogEntryInput.name': 'global',
  'UpdateCatalogEntryInput.name': 'global',
  'DeprecateCatalogEntryInput.name': 'global',
  'CreateRuleInput.name': 'global',
  'UpdateRuleInput.id': 'global',
  'UpdateUserInput.id': 'global',
  'ParameterValueInput.name': 'global',
  'CreateRunInput.name': 'global',
  'RerunRunInput.name': 'global',
  'FactorInput.name': 'global',
  'PackageVersionInput.name': 'global',
  'SetPasswordInput.id': 'global',
};

const idLike = /^(id|ids|name|environment|from|to|consumes|receivedAt|appliedAt)$|(Id|Hash)$/;

/** `Input.field` (or `mutation(arg)`) of every argument that names something, recursively through input objects. */
function namingArguments(field: GraphQLField<unknown, unknown>): string[] {
  const keys: string[] = [];
  const walk = (type: GraphQLInputType, seen: Set<string>) => {
    const named = getNamedType(type);
    if (!isInputObjectType(named) || seen.has(named.name)) return;
    seen.add(named.name);
    for (const inner of Object.values(named.getFields())) {
      if (idLike.test(inner.name)) keys.push(`${named.name}.${inner.name}`);
      walk(inner.type, seen);
    }
  };
  for (const arg of field.args) {
    if (idLike.test(arg.name) && !isInputObjectType(getNamedType(arg.type))) keys.push(`${field.name}(${arg.name})`);
    walk(arg.type, new Set());
  }
  return keys;
}

/** The placeholder arguments with every naming argument pointed at `foreign`'s objects. */
function foreignVariables(field: GraphQLField<unknown, unknown>, foreign: EnvironmentFixtures, own: EnvironmentFixtures): Record<string, unknown> {
  const fill = (type: GraphQLInputType, value: unknown): unknown => {
    const named = getNamedType(type);
    if (isListType(isNonNullType(type) ? type.ofType : type)) return (value as unknown[]).map((v) => fill(named as GraphQLInputType, v));
    if (!isInputObjectType(named) || value === null || typeof value !== 'object') return value;
    // An optional field decided here is sent too (e.g. createParameterSet's code: one of code/codeVersion is needed).
    const optional = Object.keys(named.getFields()).filter((key) => !(key in (value as object)) && typeof foreignArgs[`${named.name}.${key}`] === 'function');
    return Object.fromEntries([...Object.entries(value as Record<string, unknown>), ...optional.map((key) => [key, undefined] as const)].map(([key, inner]) => {
      const pick = foreignArgs[`${named.name}.${key}`];
      return [key, typeof pick === 'function' ? pick(foreign, own) : fill(named.getFields()[key]!.type, inner)];
    }));
  };
  const { variables } = operationFor(field);
  return Object.fromEntries(field.args.filter((a) => a.name in variables).map((a) => {
    const pick = foreignArgs[`${field.name}(${a.name})`];
    return [a.name, typeof pick === 'function' ? pick(foreign, own) : fill(a.type, variables[a.name])];
  }));
}

/**
 * Every query that takes an environment or an id, and what a token of one
 * environment gets when it names another's: `refused` (FORBIDDEN or
 * NOT_FOUND), or data in which nothing of the other environment appears
 * (null, empty, filtered). `own` is the same question about the token's own
 * environment, which must be answered (the filter is not simply "nothing").
 */
const nodeSlots = [0, 1, 2, 3, 4, 5, 6];
interface QueryDecision {
  document: string;
  variables: (f: EnvironmentFixtures) => Record<string, unknown>;
  foreign: 'refused' | 'absent';
  /** What the own environment's answer must contain (a fixture's trace). */
  own?: (f: EnvironmentFixtures) => string;
}
const confinedQueries: Record<string, QueryDecision | 'global'> = {
  environment: { document: `query ($name: String!) { environment(name: $name) { id } }`, variables: (f) => ({ name: f.name }), foreign: 'refused', own: (f) => f.environmentId },
  node: {
    // One node(id:) per kind of environment-scoped node (environment-fixtures.ts).
    document: `query (${nodeSlots.map((i) => `$id${i}: ID!`).join(', ')}) { ${nodeSlots.map((i) => `n${i}: node(id: $id${i}) { id }`).join(' ')} }`,
    variables: (f) => Object.fromEntries(nodeIdsOf(f).map((id, i) => [`id${i}`, id])), foreign: 'absent', own: (f) => f.runId,
  },
  nodes: { document: `query ($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: (f) => ({ ids: nodeIdsOf(f) }), foreign: 'absent', own: (f) => f.workerId },
  parameterSet: { document: `query ($hash: String!) { parameterSet(hash: $hash) { hash } }`, variables: (f) => ({ hash: f.setHash }), foreign: 'absent', own: (f) => f.setHash },
  parameterSets: { document: `query ($environment: String) { parameterSets(environment: $environment, first: 100) { totalCount edges { node { hash } } } }`, variables: (f) => ({ environment: f.name }), foreign: 'absent', own: (f) => f.setHash },
  compareParameterSets: { document: `query ($a: String!, $b: String!) { compareParameterSets(a: $a, b: $b) { a { hash } } }`, variables: (f) => ({ a: f.setHash, b: f.setHash }), foreign: 'refused', own: (f) => f.setHash },
  runs: { document: `query ($hash: String) { runs(parameterSetHash: $hash, first: 100) { totalCount edges { node { id } } } }`, variables: (f) => ({ hash: f.setHash }), foreign: 'absent', own: (f) => f.runId },
  workers: { document: `query ($environment: String) { workers(environment: $environment) { id } }`, variables: (f) => ({ environment: f.name }), foreign: 'refused', own: (f) => f.workerId },
  recentApplies: { document: `query ($environment: String!) { recentApplies(environment: $environment) { version worker { id } } }`, variables: (f) => ({ environment: f.name }), foreign: 'absent' },
  changeRequests: { document: `query ($environment: String) { changeRequests(environment: $environment, first: 100) { edges { node { id } } } }`, variables: (f) => ({ environment: f.name }), foreign: 'absent', own: (f) => f.changeRequestId },
  serviceTokens: { document: `query ($environment: String) { serviceTokens(environment: $environment) { id } }`, variables: (f) => ({ environment: f.name }), foreign: 'refused' },
  checkCatalogEntry: { document: `query ($input: CheckCatalogEntryInput!) { checkCatalogEntry(input: $input) { code } }`, variables: () => ({ input: { mode: 'CREATE', name: 'CVN_X' } }), foreign: 'refused' },
  checkRule: { document: `query ($e: String!) { checkRule(expression: $e) { passed } }`, variables: () => ({ e: 'true' }), foreign: 'refused' },
  run: { document: `query ($id: ID) { run(id: $id) { id } }`, variables: (f) => ({ id: f.runId }), foreign: 'absent', own: (f) => f.runId },
  auditEvents: { document: `query ($environment: String) { auditEvents(environment: $environment, first: 100) { edges { node { id environment { id } } } } }`, variables: (f) => ({ environment: f.name }), foreign: 'absent' },
  ftfGrid: { document: `query ($e: String!) { ftfGrid(environment: $e, factors: ["CVN_HPO_SAMPLER"]) { environment } }`, variables: (f) => ({ e: f.name }), foreign: 'refused', own: (f) => f.name },
  ftfParticipation: { document: `query ($e: String!) { ftfParticipation(environment: $e, parameters: ["CVN_HPO_SAMPLER"]) { name } }`, variables: (f) => ({ e: f.name }), foreign: 'refused' },
  // Catalog entries belong to no environment.
  catalogEntry: 'global',
};

describe('RBAC: service tokens of each environment stay in it', () => {
  let t: TestApp;
  let fixtures: Record<string, EnvironmentFixtures>;
  const schema = buildSchema();
  const mutations = Object.values(schema.getMutationType()!.getFields());
  const queries = Object.values(schema.getQueryType()!.getFields());
  // Each environment against the others (dev → staging, prod; …).
  const pairs = environmentNames.flatMap((own) => environmentNames.filter((other) => other !== own).map((other) => [own, other] as const));

  beforeAll(async () => {
    t = await startTestApp();
    fixtures = await createEnvironmentFixtures(t);
  }, 60_000);
  afterAll(() => t.close());

  it('has a decision for every mutation argument and every query that names an environment or an object', () => {
    expect(mutations.flatMap(namingArguments).filter((key) => !(key in foreignArgs))).toEqual([]);
    const naming = queries.filter((q) => namingArguments(q).length > 0).map((q) => q.name);
    expect(naming.filter((name) => !(name in confinedQueries))).toEqual([]);
  });

  it('refuses every mutation aimed at another environment\'s objects (or another token\'s worker)', async () => {
    const outcomes: string[] = [];
    for (const field of mutations) {
      for (const [own, other] of pairs) {
        const { query } = operationFor(field);
        const response = await t.gql(query, foreignVariables(field, fixtures[other]!, fixtures[own]!), { token: fixtures[own]!.token });
        const code = response.errors?.[0]?.extensions?.code as string | undefined;
        if (code !== 'FORBIDDEN' && code !== 'NOT_FOUND') {
          outcomes.push(`${field.name} by a ${own} token at ${other}: ${code ?? 'success'} (${response.errors?.[0]?.message ?? ''})`);
        }
      }
    }
    expect(outcomes).toEqual([]);
  });

  it('answers every query about another environment with a refusal or nothing of it, and about its own with its own', async () => {
    const outcomes: string[] = [];
    for (const [name, decision] of Object.entries(confinedQueries)) {
      if (decision === 'global') continue;
      for (const [own, other] of pairs) {
        const as = { token: fixtures[own]!.token };
        const foreign = await t.gql(decision.document, decision.variables(fixtures[other]!), as);
        const code = foreign.errors?.[0]?.extensions?.code as string | undefined;
        const leaked = tracesOf(fixtures[other]!).filter((trace) => JSON.stringify(foreign.data ?? null).includes(trace));
        if (leaked.length) outcomes.push(`${name} by a ${own} token at ${other}: shows ${leaked.join(', ')}`);
        if (decision.foreign === 'refused' && code !== 'FORBIDDEN' && code !== 'NOT_FOUND') outcomes.push(`${name} by a ${own} token at ${other}: ${code ?? 'answered'}, not refused`);
        if (decision.foreign === 'absent' && code !== undefined && code !== 'FORBIDDEN') outcomes.push(`${name} by a ${own} token at ${other}: ${code}`);
        if (decision.own) {
          const mine = await t.gql(decision.document, decision.variables(fixtures[own]!), as);
          if (!JSON.stringify(mine.data ?? null).includes(decision.own(fixtures[own]!))) outcomes.push(`${name} by a ${own} token about ${own}: its own is missing (${JSON.stringify(mine.errors ?? mine.data).slice(0, 200)})`);
        }
      }
    }
    expect(outcomes).toEqual([]);
  });
});
