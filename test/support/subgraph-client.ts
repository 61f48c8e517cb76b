import { authorizationFor, type GraphQLResponse, type TestUser } from './start-test-app.ts';

/** POSTs an operation to a GraphQL endpoint (a subgraph, a gateway) as a seeded user, a token, or nobody. */
export async function postGraphQL<T = Record<string, any>>(endpoint: string, query: string, variables?: Record<string, unknown>, as: TestUser = 'admin'): Promise<GraphQLResponse<T>> {
  const authorization = authorizationFor(as);
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...(await response.json()) } as GraphQLResponse<T>;
}

/** POSTs an operation to a server's federation subgraph (/subgraph). */
export const subgraphQuery = <T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, as: TestUser = 'admin') =>
  postGraphQL<T>(`${url}/subgraph`, query, variables, as);

/** The `_entities` query of a gateway hop: every reference of the hop in one call. */
export const entitiesQuery = (selection: string) =>
  `query ($representations: [_Any!]!) { _entities(representations: $representations) { __typename ${selection} } }`;
