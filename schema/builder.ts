import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { hasRole } from '../server/features/access/index.ts';
import { AppError } from '../server/errors/index.ts';
import type { GraphQLContext } from '../server/graphql-context.ts';
import type PrismaTypes from '../server/generated/pothos-prisma-types.ts';
import { getDatamodel } from '../server/generated/pothos-prisma-types.ts';
import type { PrismaClient } from '../server/generated/prisma/client.ts';
import { nodeLookupOptions } from './node-lookup.ts';

/**
 * Scopes, cumulative like the roles: `editor` holds for editors, approvers
 * and admins. `service` is a worker's or Grafana's token; `reader` is anyone
 * signed in, operator or token.
 */
export interface AuthScopes {
  reader: boolean;
  viewer: boolean;
  editor: boolean;
  approver: boolean;
  admin: boolean;
  service: boolean;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({
  // Federation last: it reads the types the others made (schema/subgraph.ts).
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin, DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
  prisma: {
    // The client comes from the context at request time (no module-level
    // database); the builder only needs the datamodel.
    client: (ctx) => ctx.reads.graph as unknown as PrismaClient,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    maxConnectionSize: 1000,
    defaultConnectionSize: 50,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Every Relay-style subgraph of a supergraph defines PageInfo alike: a
    // value type they share (schema.subgraph.graphql; the standalone SDL
    // prints no directives).
    pageInfoTypeOptions: { shareable: true },
    // node(id:) / nodes(ids:) read an id that names nothing as null (node-lookup.ts).
    ...nodeLookupOptions,
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      reader: ctx.viewer !== null,
      viewer: hasRole(ctx.viewer, 'VIEWER'),
      editor: hasRole(ctx.viewer, 'EDITOR'),
      approver: hasRole(ctx.viewer, 'APPROVER'),
      admin: hasRole(ctx.viewer, 'ADMIN'),
      service: ctx.viewer?.kind === 'service',
    }),
    // No credential at all is UNAUTHENTICATED (HTTP 401); a credential
    // without the role is FORBIDDEN.
    unauthorizedError: (_parent, ctx, info) =>
      ctx.viewer === null
        ? new AppError('UNAUTHENTICATED', 'Sign in to continue.')
        : new AppError('FORBIDDEN', `Your role does not allow ${info.parentType.name}.${info.fieldName}.`),
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSON', JSONResolver);

// Every root field requires a signed-in caller unless it says otherwise.
builder.queryType({ authScopes: { reader: true } });
builder.mutationType({ authScopes: { reader: true } });
builder.subscriptionType({ authScopes: { reader: true } });
