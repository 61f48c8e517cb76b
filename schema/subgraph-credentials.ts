import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { AppError } from '../server/errors/index.ts';
import type { GraphQLContext } from '../server/graphql-context.ts';

/** The root fields the federation plugin adds outside the builder, where the builder's `reader` scope does not reach. */
const federationFields = ['_service', '_entities'] as const;

/**
 * Makes `_service` and `_entities` need a credential like every other root
 * field (UNAUTHENTICATED without one, the same error the builder's scope
 * gives). The schema is the one toSubGraphSchema just built, not shared yet.
 */
export function requireCredentialsOnFederationFields(schema: GraphQLSchema): GraphQLSchema {
  const fields = schema.getQueryType()!.getFields();
  for (const name of federationFields) {
    const field = fields[name];
    if (!field) continue;
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (source, args, context: GraphQLContext, info) => {
      if (context.viewer === null) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
      return resolve(source, args, context, info);
    };
  }
  return schema;
}
