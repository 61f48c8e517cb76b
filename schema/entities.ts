import { queryFromInfo } from '@pothos/plugin-prisma';
import type { GraphQLResolveInfo } from 'graphql';
import type { GraphQLContext } from '../server/graphql-context.ts';
import { builder } from './builder.ts';
import { CatalogEntryRef } from './catalog.ts';
import { ConfigVersionRef } from './config-versions.ts';
import { EnvironmentRef } from './environments.ts';
import { localId } from './local-id.ts';
import { ParameterSetRef } from './parameter-sets.ts';
import { RunRef } from './runs.ts';
import { WorkerRef } from './workers.ts';

// The entities other subgraphs of a federated supergraph may reference, each
// by its natural key (schema.subgraph.graphql, served on /subgraph). A
// gateway sends one `_entities` call per subgraph hop with every reference
// of the hop: each resolveReference goes through the request's loaders
// (server/graphql-loaders.ts) with the selection of its type's fragment, so
// a kind costs one statement (relations included) however many references
// come, scoped as its direct query is. The types' own authScopes then guard
// every field as on any other path.
//
// Run and Worker are keyed by `id` as this graph hands it out (the Relay
// global id); a reference may also carry the raw uuid.

/** What `... on <typeName>` under `_entities` selects, for the read to load in one statement. */
const selectionOf = (context: GraphQLContext, info: GraphQLResolveInfo, typeName: string) =>
  queryFromInfo({ context, info, typeName, awaitSelections: true });

builder.asEntity(EnvironmentRef, {
  key: builder.selection<{ name: string }>('name'),
  resolveReference: async ({ name }, context, info) => context.loaders.entities.environment(await selectionOf(context, info, 'Environment'), name),
});

builder.asEntity(ConfigVersionRef, {
  key: builder.selection<{ environment: { name: string }; version: number }>('environment { name } version'),
  resolveReference: async ({ environment, version }, context, info) =>
    context.loaders.entities.configVersion(await selectionOf(context, info, 'ConfigVersion'), { environment: environment.name, version }),
});

builder.asEntity(CatalogEntryRef, {
  key: builder.selection<{ name: string }>('name'),
  resolveReference: async ({ name }, context, info) => context.loaders.entities.catalogEntry(await selectionOf(context, info, 'CatalogEntry'), name),
});

builder.asEntity(ParameterSetRef, {
  key: builder.selection<{ hash: string }>('hash'),
  resolveReference: async ({ hash }, context, info) => context.loaders.entities.parameterSet(await selectionOf(context, info, 'ParameterSet'), hash),
});

builder.asEntity(RunRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, context, info) => context.loaders.entities.run(await selectionOf(context, info, 'Run'), localId(id, 'Run')),
});

builder.asEntity(WorkerRef, {
  key: builder.selection<{ id: string }>('id'),
  resolveReference: async ({ id }, context, info) => context.loaders.entities.worker(await selectionOf(context, info, 'Worker'), localId(id, 'Worker')),
});
