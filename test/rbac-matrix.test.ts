import { createHash, randomBytes } from 'node:crypto';
import {
  getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType,
  type GraphQLField, type GraphQLInputType,
} from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.ts';
import { startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';

type Caller = 'anonymous' | 'viewer' | 'editor' | 'approver' | 'admin' | 'service';
const callers: Caller[] = ['anonymous', 'viewer', 'editor', 'approver', 'admin', 'service'];

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
        const as: TestUser = caller === 'anonymous' ? null : caller === 'service' ? { token: serviceToken } : caller;
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
