import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentNesting, MAX_VARIABLE_NESTING, variablesProblem } from './use-input-limits.ts';
import { wireError, wireResult } from './wire-errors.ts';

describe('the input limits', () => {
  it('measures a document\'s nesting without counting brackets in strings, block strings or comments', () => {
    expect(documentNesting('{ a { b(c: [1, [2]]) } }')).toBe(5);
    expect(documentNesting('{ a(s: "{{{[[[(((", t: """ {{{ \\""" [[[ """) # {{{{{{\n }')).toBe(2);
    expect(documentNesting('['.repeat(20_000), 64)).toBe(65);
    expect(documentNesting('}}}] { a }')).toBe(1);
  });

  it('finds a NUL character anywhere in the variables, and nesting past the limit, without recursing', () => {
    expect(variablesProblem({ a: 'fine', b: [{ c: 'x' }] })).toBeUndefined();
    expect(variablesProblem({ input: { changes: [{ name: 'A', value: 'x\u0000' }] } })).toEqual({ message: 'Variable "$input": Text must not contain NUL characters (\\u0000).', field: 'value' });
    expect(variablesProblem({ m: { ['k\u0000']: 1 } })?.field).toBe('m');
    // The field named is the one nearest the value; list items keep their list's name.
    expect(variablesProblem({ input: { keys: ['A', 'B\u0000'] } })?.field).toBe('keys');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(variablesProblem({ m: deep })).toEqual({ message: `Variable "$m" nests deeper than ${MAX_VARIABLE_NESTING} levels.`, field: 'm' });
    expect(variablesProblem(undefined)).toBeUndefined();
  });
});

describe('errors on the streaming wires', () => {
  it('keep the code and details and drop the table\'s http extension', () => {
    const error = new GraphQLError('Sign in to continue.', { path: ['environments'], extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    expect(wireError(error)).toEqual({ message: 'Sign in to continue.', path: ['environments'], extensions: { code: 'UNAUTHENTICATED' } });
    const result = { data: null, errors: [error] };
    expect(wireResult(result).errors).toEqual([{ message: 'Sign in to continue.', path: ['environments'], extensions: { code: 'UNAUTHENTICATED' } }]);
    const clean = { data: { a: 1 } };
    expect(wireResult(clean)).toBe(clean);
  });
});
