import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import { requireCredentialsOnFederationFields } from './subgraph-credentials.ts';
// Each domain module registers its types, queries, mutations and
// subscriptions on the one builder, the way subgraphs compose a supergraph.
import './enums.ts';
import './violations.ts';
import './value-diff.ts';
import './users.ts';
import './catalog.ts';
import './environments.ts';
import './config-versions.ts';
import './config-writes.ts';
import './config-changed.ts';
import './approvals.ts';
import './catalog-admin.ts';
import './rules.ts';
import './freeze-windows.ts';
import './parameter-sets.ts';
import './parameter-set-freeze.ts';
import './ftf-grid.ts';
import './runs.ts';
import './run-epochs.ts';
import './run-mutations.ts';
import './session-start.ts';
import './run-comparison.ts';
import './audit-events.ts';
import './workers.ts';
import './access.ts';
// Last: the federation keys of types the modules above define.
import './entities.ts';

let schema: GraphQLSchema | undefined;
let subgraph: GraphQLSchema | undefined;

/** The whole graph (built once per process: the schema is code, not state). */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: false });
  return schema;
}

export function printableSchema(): GraphQLSchema {
  return lexicographicSortSchema(buildSchema());
}

/** The committed SDL text, printed by the same graphql module that built the schema. */
export function schemaSDL(): string {
  return `${printSchema(printableSchema())}\n`;
}

/**
 * The same graph as an Apollo Federation v2 subgraph (served on /subgraph):
 * every type and field of buildSchema() plus `_service`, `_entities` and the
 * @key/@shareable directives of schema/entities.ts. Built from the same
 * builder, so the two never drift; the standalone graph stays free of
 * federation's fields.
 */
export function buildSubgraphSchema(): GraphQLSchema {
  subgraph ??= requireCredentialsOnFederationFields(builder.toSubGraphSchema({}));
  return subgraph;
}

/** The committed subgraph SDL (schema.subgraph.graphql): what `_service { sdl }` answers. */
export function subgraphSDL(): string {
  return `${printSubgraphSchema(buildSubgraphSchema())}\n`;
}

export { reportWorkerApplyDirect } from './report-worker-apply-direct.ts';
