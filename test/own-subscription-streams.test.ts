import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ownSubscriptionStream, useOwnSubscriptionStreams } from '../server/http/use-own-subscription-streams.ts';

const maskError = (error: unknown, message: string) => new GraphQLError(`${message} (${(error as Error).message})`);

function recorded(result: unknown, contextValue: object = {}) {
  const plugin = useOwnSubscriptionStreams({ maskError, errorMessage: 'Unexpected error.' });
  const hooks = (plugin.onSubscribe as (payload: unknown) => { onSubscribeResult(payload: unknown): void })({ args: { contextValue } });
  hooks.onSubscribeResult({ args: { contextValue }, result, setResult: () => {} });
  return ownSubscriptionStream(contextValue);
}

function from(...steps: (ExecutionResult | Error)[]): AsyncIterableIterator<ExecutionResult> {
  let returned = false;
  return {
    next: async () => {
      const step = steps.shift();
      if (returned || !step) return { done: true, value: undefined };
      if (step instanceof Error) throw step;
      return { done: false, value: step };
    },
    return: async () => ((returned = true), { done: true, value: undefined }),
    [Symbol.asyncIterator]() { return this; },
  };
}

/** Proves the stream graphql-ws reads masks as yoga's masked errors would: result errors and a thrown error, an AbortError passed through. */
describe('useOwnSubscriptionStreams', () => {
  it('records nothing for a single result (a refused subscription)', () => {
    expect(recorded({ errors: [new GraphQLError('no')] })).toBeUndefined();
  });

  it('passes a result without errors as it is, and masks each error of one that has them', async () => {
    const clean = { data: { configChanged: { version: 3 } } };
    const stream = recorded(from(clean, { data: null, errors: [new GraphQLError('boom')] }))!;
    expect((await stream.next()).value).toBe(clean);
    const masked = (await stream.next()).value as ExecutionResult;
    expect(masked.errors?.map((error) => error.message)).toEqual(['Unexpected error. (boom)']);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('masks a thrown error, and lets an AbortError through unmasked', async () => {
    await expect(recorded(from(new Error('database away')))!.next()).rejects.toThrow('Unexpected error. (database away)');
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    await expect(recorded(from(abort))!.next()).rejects.toBe(abort);
  });

  it('ends its source on return()', async () => {
    const source = from({ data: {} }, { data: {} });
    const stream = recorded(source)!;
    await stream.return!();
    expect(await source.next()).toEqual({ done: true, value: undefined });
  });
});
