import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  getIntrospectionQuery,
  getNamedType,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  print,
  typeFromAST,
  visit,
  type DefinitionNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import * as wireDocuments from '../runtime-agent/src/wire-documents.ts';
import { builder } from '../schema/builder.ts';
import { buildSchema, buildSubgraphSchema } from '../schema/index.ts';
import { graphiqlDefaultQuery } from '../server/http/graphiql-page.ts';
import { listCaps, operationLimits, pageCaps, snapshotFields } from '../server/http/operation-limits.ts';
import { useDocumentLimits } from '../server/http/use-document-limits.ts';
import { inspectOperation } from '../server/http/use-page-limits.ts';

// The limits of server/http/operation-limits.ts must let every real operation
// through: the console's documents, the agent's, GraphiQL's and codegen's
// introspection, with the variables they really send. No server needed: the
// document limits run as yoga runs them, the page limits on the real schema.

describe('the real operations pass every limit', () => {
  const schema = buildSchema();
  // The document limits as yoga runs them, on the real schema (no server needed).
  const enveloped = createYoga({ schema, plugins: useDocumentLimits(operationLimits), logging: false }).getEnveloped({});
  const pageLimits = { limits: operationLimits, pageCaps, listCaps, snapshotFields };

  /** The operations of the console (with the fragments each uses), the agent, GraphiQL and codegen. */
  function realDocuments(): [string, string][] {
    const web = execFileSync('git', ['ls-files', 'web/src/**/*.graphql'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const definitions = web.flatMap((file) => parse(readFileSync(file, 'utf8')).definitions);
    const fragments = new Map(definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
    const withFragments = (operation: DefinitionNode): string => {
      const used = new Set<string>();
      const pending = [operation];
      while (pending.length) {
        const node = pending.pop()!;
        visit(node, { FragmentSpread: (spread) => { if (!used.has(spread.name.value)) { used.add(spread.name.value); pending.push(fragments.get(spread.name.value)!); } } });
      }
      return [operation, ...[...used].map((name) => fragments.get(name)!)].map((node) => print(node)).join('\n');
    };
    const console = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((d) => [`console ${d.name?.value}`, withFragments(d)] as [string, string]);
    const agent = Object.entries(wireDocuments).filter(([, value]) => typeof value === 'string' && /^\s*(query|mutation|subscription)/.test(value)).map(([name, value]) => [`agent ${name}`, value as string] as [string, string]);
    return [
      ...console,
      ...agent,
      ['GraphiQL default query', graphiqlDefaultQuery],
      ['GraphiQL introspection', getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true })],
      ['codegen introspection', getIntrospectionQuery()],
    ];
  }

  // What the clients really send where the size is a variable; other variables get a value of their type.
  const sent: Record<string, Record<string, unknown>> = {
    AuditTrail: { first: 50 },
    RecentApplies: { last: 200 },
    RuntimeAgentLoad: { names: Array.from({ length: 575 }, (_, i) => `CVN_P_${i}`) },
  };

  it.each(realDocuments())('%s', (_name, source) => {
    const document = enveloped.parse(source);
    expect(enveloped.validate(schema, document).map((error: GraphQLError) => error.message)).toEqual([]);
    const operation = document.definitions.find((d: DefinitionNode): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const variableValues = { ...dummyVariables(schema, operation), ...sent[operation.name?.value ?? ''] };
    expect(getVariableValues(schema, operation.variableDefinitions ?? [], variableValues).errors).toBeUndefined();
    const { rows, refusal } = inspectOperation({ schema, document, variableValues }, pageLimits);
    expect(refusal).toBeUndefined();
    // Room to grow: the largest, PendingChangeRequests, asks for 4,100 rows.
    expect(rows).toBeLessThanOrEqual(operationLimits.rows / 2);
  });

  it('caps every first/last of the schema, and names only fields that exist', () => {
    const sized: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) if (arg.name === 'first' || arg.name === 'last') sized.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    const capped = Object.entries(pageCaps).flatMap(([key, caps]) => Object.keys(caps).map((arg) => `${key}(${arg})`));
    expect(capped.sort()).toEqual(sized.sort());
    for (const key of [...Object.keys(listCaps), ...snapshotFields]) {
      const [typeName, fieldName] = key.replace(/\(.*\)$/, '').split('.') as [string, string];
      // The federation subgraph (/subgraph) is the same graph plus `_entities`.
      const type = buildSubgraphSchema().getType(typeName);
      expect(type && isObjectType(type) && type.getFields()[fieldName], key).toBeTruthy();
    }
    // The default page size the row count assumes is the one Pothos applies.
    expect(builder.options.prisma?.defaultConnectionSize).toBe(operationLimits.defaultConnectionSize);
    expect(builder.options.prisma?.maxConnectionSize).toBeGreaterThanOrEqual(Math.max(...Object.values(pageCaps).flatMap((caps) => Object.values(caps))));
  });
});

/** A value of each declared variable's type: enough for the limits to be computed as for a real call. */
function dummyVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const valueOf = (type: GraphQLInputType): unknown => {
    if (isNonNullType(type)) return valueOf(type.ofType);
    if (isListType(type)) return [valueOf(type.ofType)];
    if (isEnumType(type)) return type.getValues()[0]!.value;
    if (isInputObjectType(type)) {
      return Object.fromEntries(Object.values(type.getFields()).filter((field) => isNonNullType(field.type)).map((field) => [field.name, valueOf(field.type)]));
    }
    const scalar = getNamedType(type).name;
    return ({ Int: 1, Float: 1.5, Boolean: false, DateTime: '2026-01-01T00:00:00Z', JSON: {} } as Record<string, unknown>)[scalar] ?? 'dev';
  };
  return Object.fromEntries((operation.variableDefinitions ?? []).map((definition) => [definition.variable.name.value, valueOf(typeFromAST(schema, definition.type as never) as GraphQLInputType)]));
}
