import { authorizationFor, type GraphQLResponse, type TestUser } from './start-test-app.ts';

/** POSTs an operation to a server's federation subgraph (/subgraph) as a seeded user, a token, or nobody. */
export async function subgraphQuery<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, as: TestUser = 'admin'): Promise<GraphQLResponse<T>> {
  const authorization = authorizationFor(as);
  const response = await fetch(`${url}/subgraph`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...(await response.json()) } as GraphQLResponse<T>;
}

/** The `_entities` query of a gateway hop: every reference of the hop in one call. */
export const entitiesQuery = (selection: string) =>
  `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ${selection} } }`;
