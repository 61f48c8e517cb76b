import { celMap, type CelInput } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { createCelProgramCache, RULE_VARIABLES } from './cel-program-cache.ts';

// Bindings follow the convention of typed-snapshot.ts: INT → bigint, FLOAT → number.
function params(values: Record<string, CelInput>) {
  return celMap(new Map(Object.entries(values)));
}

describe('createCelProgramCache', () => {
  it('evaluates a validator on an INT value bound as a CEL int', () => {
    const cache = createCelProgramCache();
    expect(cache.evaluate('value % 2 == 1', { value: 7n, params: params({}) })).toEqual({ status: 'pass' });
    expect(cache.evaluate('value % 2 == 1', { value: 8n, params: params({}) })).toEqual({ status: 'fail', result: 'false' });
  });

  // Verified behaviour of @bufbuild/cel 0.6.1: ordering and equality compare
  // int with double numerically; arithmetic does not mix them.
  it('compares CEL int with CEL double', () => {
    const cache = createCelProgramCache();
    const p = params({ CVN_B: 7.5 });
    expect(cache.evaluate('value <= params.CVN_B', { value: 5n, params: p }).status).toBe('pass');
    expect(cache.evaluate('value <= params.CVN_B', { value: 8n, params: p }).status).toBe('fail');
    expect(cache.evaluate('params.CVN_A == 5.0', { params: params({ CVN_A: 5n }) }).status).toBe('pass');
  });

  it('does not mix int and double in arithmetic', () => {
    const cache = createCelProgramCache();
    const p = params({ CVN_A: 2n, CVN_B: 7.5 });
    expect(cache.evaluate('params.CVN_B + params.CVN_A > 5.0', { params: p })).toEqual({
      status: 'error',
      message: "found no matching overload for '_+_' applied to '(double, int)'",
    });
    expect(cache.evaluate('params.CVN_B + double(params.CVN_A) > 5.0', { params: p }).status).toBe('pass');
  });

  it('supports field selection and indexing on the params map', () => {
    const cache = createCelProgramCache();
    const p = params({ CVN_X: 3n, CVN_MODE: 'FAST', CVN_ON: true });
    for (const source of ['params.CVN_X == 3', 'params["CVN_X"] == 3', 'params.CVN_MODE == "FAST"', 'params.CVN_ON', '"CVN_X" in params']) {
      expect(cache.evaluate(source, { params: p }), source).toEqual({ status: 'pass' });
    }
    expect(cache.evaluate('!has(params.CVN_MISSING)', { params: p }).status).toBe('pass');
  });

  it('reports a missing key as an error naming the key', () => {
    const cache = createCelProgramCache();
    expect(cache.evaluate('params.CVN_MISSING > 1', { params: params({}) })).toEqual({
      status: 'error',
      message: 'field not found: CVN_MISSING',
      missingKey: 'CVN_MISSING',
    });
  });

  it('treats anything but boolean true as a failure', () => {
    const cache = createCelProgramCache();
    expect(cache.evaluate('value', { value: 1n })).toEqual({ status: 'fail', result: '1 (int)' });
    expect(cache.evaluate('value', { value: 'true' })).toEqual({ status: 'fail', result: '"true" (string)' });
    expect(cache.evaluate('params', { params: params({}) })).toEqual({ status: 'fail', result: 'a map' });
  });

  it('turns syntax errors into INVALID_EXPRESSION with a position', () => {
    const cache = createCelProgramCache();
    const compiled = cache.compile('value >');
    expect(compiled.ok).toBe(false);
    if (compiled.ok) return;
    expect(compiled.violation.code).toBe('INVALID_EXPRESSION');
    expect(compiled.violation.message).toMatch(/^The expression is not valid CEL: at line 1, column \d+: /);
    expect(cache.compile('').ok).toBe(false);
    expect(cache.compile('(value > 1').ok).toBe(false);
  });

  it('rejects unknown functions and variables at compile time', () => {
    const cache = createCelProgramCache();
    const fn = cache.compile('frobnicate(value)');
    expect(fn.ok ? null : fn.detail).toBe('unknown function frobnicate');
    const typo = cache.compile('parms.CVN_X > 1');
    expect(typo.ok ? null : typo.detail).toBe('unknown variable parms (available here: value, params)');
    // Rules have no `value`.
    const rule = cache.compile('value > 1', RULE_VARIABLES);
    expect(rule.ok ? null : rule.detail).toBe('unknown variable value (available here: params)');
    // At evaluation, the bound names are the available variables.
    expect(cache.evaluate('value > 1', { params: params({}) }).status).toBe('invalid');
  });

  it('accepts comprehension variables, type names and string extensions', () => {
    const cache = createCelProgramCache();
    const p = params({ CVN_A: 1n, CVN_B: 2.5 });
    expect(cache.evaluate('params.all(k, k.startsWith("CVN_"))', { params: p }).status).toBe('pass');
    expect(cache.evaluate('type(params.CVN_A) == int && type(params.CVN_B) == double', { params: p }).status).toBe('pass');
    expect(cache.evaluate('value.lowerAscii() == "abc"', { value: 'ABC' }).status).toBe('pass');
  });

  it('compiles each source once and reuses the program', () => {
    const cache = createCelProgramCache();
    const first = cache.compile('value > 1');
    const second = cache.compile('value > 1');
    expect(first.ok && second.ok && first.program === second.program).toBe(true);
    cache.evaluate('value > 1', { value: 2n });
    cache.evaluate('value > 2', { value: 2n });
    expect(cache.size).toBe(2);
    if (first.ok) expect(first.program.evaluate({ value: 2n, params: params({}) })).toEqual({ status: 'pass' });
  });

  it('drops the oldest sources past maxEntries', () => {
    const cache = createCelProgramCache({ maxEntries: 2 });
    cache.compile('value > 1');
    cache.compile('value > 2');
    cache.compile('value > 3');
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('keeps separate caches separate', () => {
    const a = createCelProgramCache();
    const b = createCelProgramCache();
    a.compile('value > 1');
    expect(b.size).toBe(0);
  });
});
