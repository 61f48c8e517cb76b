import { authorizationFor, expectData, type GraphQLResponse, type TestUser } from '../../../test/support/start-test-app.ts';

export type Gql = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: TestUser) => Promise<GraphQLResponse<T>>;

/**
 * GraphQL over HTTP against any running server (in-process or spawned) as a
 * seeded user: a cloned test database carries the test passwords.
 */
export function graphqlClient(url: () => string): Gql {
  return async (query, variables, as = 'admin') => {
    const authorization = authorizationFor(as);
    const response = await fetch(`${url()}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
    return { status: response.status, ...body } as GraphQLResponse<any>;
  };
}

/** An admin creates a service token of `environment`; one token serves many agents. */
export async function createServiceToken(gql: Gql, environment: string, name: string): Promise<string> {
  const created = await gql<{ createServiceToken: { token: string } }>(
    `mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`,
    { input: { environment, name } },
  );
  return expectData(created).createServiceToken.token;
}
