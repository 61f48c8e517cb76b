import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import { createGraphQLHttp } from '../src/graphql-http.ts';
import { unwrapGraphQLResult } from '../src/unwrap-graphql-result.ts';

// The server's UNAVAILABLE (its database is away) is "not now", not "no":
// the agent retries what met it, and gives up on every other refusal.
const refusal = (code: string, status = 200) => {
  try {
    unwrapGraphQLResult({ errors: [{ message: 'refused', extensions: { code } }] }, status);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('not refused');
};

describe('which server answers the agent retries', () => {
  it('retries UNAVAILABLE, and no refusal', () => {
    expect(refusal('UNAVAILABLE', 503)).toMatchObject({ code: 'API_ERROR', apiCode: 'UNAVAILABLE', retryable: true, fatal: false });
    for (const code of ['BAD_REQUEST', 'NOT_FOUND', 'VALIDATION_FAILED', 'INTERNAL_SERVER_ERROR']) expect(refusal(code).retryable, code).toBe(false);
    expect(refusal('UNAUTHENTICATED', 401)).toMatchObject({ fatal: true, retryable: false });
  });

  it('reads a 503 without a GraphQL body as UNAVAILABLE', async () => {
    const http = createGraphQLHttp({ url: 'http://x/graphql', token: 't', fetchImpl: async () => ({ status: 503, json: async () => { throw new SyntaxError('not JSON'); } }) });
    const error = await http.request('{ __typename }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).retryable).toBe(true);
  });
});
