import { decodeGlobalID } from '@pothos/plugin-relay';
import { isObjectType, type GraphQLResolveInfo } from 'graphql';

// `node(id:)` and `nodes(ids:)` read any id that names nothing as null, never
// as an error: an id that is not a global id at all ("!!!"), a global id of a
// type that is not a Node ("Query:1", "Nope:1"), a key no row can have (a NUL
// character PostgreSQL refuses; uuid keys go through uuid-where.ts) or a row
// that does not exist (every prismaNode is `nullable`).

type GlobalId = { typename: string; id: string };

/** Relay's decoder without its throw: what does not decode names no type (''), so it reads as null. */
export function decodeNodeId(globalID: string): GlobalId {
  try {
    return decodeGlobalID(globalID);
  } catch {
    return { typename: '', id: globalID };
  }
}

/** Whether a decoded id can name a row: a schema type implementing Node, and a key PostgreSQL can compare. */
function namesNode({ typename, id }: GlobalId, info: GraphQLResolveInfo): boolean {
  const type = typename ? info.schema.getType(typename) : undefined;
  return isObjectType(type) && type.getInterfaces().some((face) => face.name === 'Node') && !String(id).includes('\u0000');
}

/** The relay options of schema/builder.ts that make both lookups read "names nothing" as null. */
export const nodeLookupOptions = {
  decodeGlobalID: decodeNodeId,
  nodeQueryOptions: {
    resolve: (_root: unknown, { id }: { id: GlobalId }, _context: unknown, info: GraphQLResolveInfo, resolveNode: (id: GlobalId) => unknown) =>
      (namesNode(id, info) ? resolveNode(id) : null),
  },
  nodesQueryOptions: {
    resolve: (_root: unknown, args: { ids: GlobalId[] }, _context: unknown, info: GraphQLResolveInfo, resolveNodes: (ids: GlobalId[]) => Promise<unknown[]>) => {
      // Relay's resolver reads `args.ids` itself (its argument is ignored):
      // the ids that name nothing are blanked there, and come back as null.
      args.ids = args.ids.map((id) => (namesNode(id, info) ? id : null)) as GlobalId[];
      return resolveNodes(args.ids);
    },
  },
};
