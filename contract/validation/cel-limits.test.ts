import { celMap, type CelInput } from '@bufbuild/cel';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedRules } from '../../prisma/seed/rule-seed.ts';
import { CEL_LIMITS, bracketNesting } from './cel-limits.ts';
import { createCelProgramCache, RULE_VARIABLES, type CelOutcome } from './cel-program-cache.ts';

// A `params` as large as the seeded catalog (575 parameters), of every type.
const params = celMap(new Map<string, CelInput>(Array.from({ length: 575 }, (_, i) => [
  `CVN_P_${i}`,
  i % 4 === 0 ? BigInt(i) : i % 4 === 1 ? i / 4 : i % 4 === 2 ? i % 3 === 0 : `value-${i}`,
])));

/**
 * What an expression comes to, and how long its evaluation took (`ms`; the
 * compilation before it is timed apart: parsing costs 10 to 20 µs a character
 * and the length is bounded for that).
 */
function timed(source: string): { outcome: CelOutcome; ms: number; compileMs: number } {
  const cache = createCelProgramCache();
  const started = performance.now();
  cache.compile(source, RULE_VARIABLES);
  const compiled = performance.now();
  const outcome = cache.evaluate(source, { params });
  return { outcome, ms: performance.now() - compiled, compileMs: compiled - started };
}

const refused = (outcome: CelOutcome) => (outcome.status === 'invalid' ? outcome.violation : undefined);

/** `params.map(k0, params.map(k1, …))`, `levels` deep. */
function nestedMaps(levels: number): string {
  let inner = '1';
  for (let i = levels - 1; i >= 0; i -= 1) inner = `params.map(k${i}, ${inner})`;
  return `${inner}.size() > 0`;
}

// A shared CI machine: a worst case within the limits must still be a small fraction of a save.
const WORST_MS = 100;
// Refused before evaluation: parsing (at most 4,000 characters) is all it costs.
const COMPILE_MS = 500;

describe('CEL limits', () => {
  // The interpreter's first evaluations compile it: that is not what the limits are about.
  beforeAll(() => {
    for (const source of ['params.all(k, k != "")', 'params.map(k, k).size() > 0', "params.exists(k, k.matches('^x'))"]) timed(source);
  });

  it('refuses the issue\'s map nested 7 deep at once, before evaluating it', () => {
    const { outcome, ms, compileMs } = timed(nestedMaps(7));
    expect(refused(outcome)).toEqual({ code: 'INVALID_EXPRESSION', message: 'The expression is not valid CEL: it uses 7 macros (all, exists, exists_one, map, filter); at most 3 are accepted.' });
    expect(ms + compileMs).toBeLessThan(COMPILE_MS);
  });

  it('refuses macros nested 3 deep, and more than 3 macros', () => {
    expect(refused(timed('[1].all(a, [1].all(b, [1].all(c, true)))').outcome)?.message).toMatch(/nests macros 3 deep; at most 2 are accepted/);
    expect(refused(timed('[1].all(a, true) && [1].all(a, true) && [1].all(a, true) && [1].all(a, true)').outcome)?.message).toMatch(/uses 4 macros/);
  });

  it('refuses an expression that is too long, or nests too deep, without parsing it', () => {
    const long = timed(Array.from({ length: 3_000 }, (_, i) => `params.CVN_P_${i % 575} != null`).join(' && '));
    expect(refused(long.outcome)?.message).toMatch(/characters long; at most 4,000 are accepted/);
    const deep = timed(`${'('.repeat(1_000)}true${')'.repeat(1_000)}`);
    expect(refused(deep.outcome)?.message).toMatch(/nests brackets more than 100 deep/);
    expect(deep.ms + deep.compileMs).toBeLessThan(50);
    const sum = timed(`1${' + 1'.repeat(500)} > 0`);
    expect(refused(sum.outcome)?.message).toMatch(/nests more than 100 levels deep/);
    // Macros only in short expressions.
    const padded = timed(`params.all(k, k != '') && ${Array.from({ length: 100 }, (_, i) => `params.CVN_P_${i} != null`).join(' && ')}`);
    expect(refused(padded.outcome)?.message).toMatch(/an expression with macros is at most 2,000/);
  });

  it('stops an evaluation past its budget of steps, and refuses it', () => {
    const { outcome, ms } = timed('params.all(a, params.all(b, a != b || a == b))');
    expect(refused(outcome)?.message).toBe('The expression is not valid CEL: it takes more than 20,000 steps to evaluate.');
    expect(ms).toBeLessThan(WORST_MS);
    // Even when CEL's || would absorb the error the budget raised.
    expect(refused(timed('params.all(a, params.all(b, true)) || true').outcome)?.message).toMatch(/more than 20,000 steps/);
    // A large body costs its size on every step.
    expect(refused(timed(`params.all(k, ${Array(40).fill('params == params').join(' && ')})`).outcome)?.message).toMatch(/more than 20,000 steps/);
    // A regular expression costs its length on every match (RE2 compiles it each time).
    expect(refused(timed(`params.all(k, !k.matches('${'(x+x+)+y'.repeat(20)}'))`).outcome)?.message).toMatch(/more than 20,000 steps/);
  });

  it('stops a macro that builds a value too large (a string or a list that grows with every step)', () => {
    // Each step multiplies the string by 90 (within the syntax depth limit).
    const grow = `a${' + a'.repeat(89)}`;
    for (const source of [
      `['xxxxxxxxxx'].map(a, ${grow}).map(a, ${grow}).map(a, ${grow})[0].size() > 1`,
      `[1].map(a, [${Array(300).fill('a').join(',')}]).map(a, [${Array(300).fill('a').join(',')}]) == []`,
      `params.map(k, [params, params]).size() > 0`,
    ]) {
      const outcome = timed(source).outcome;
      const ms = Math.min(timed(source).ms, timed(source).ms, timed(source).ms);
      expect(refused(outcome)?.message, source.slice(0, 60)).toMatch(/a macro builds a value larger than 10,000/);
      expect(ms).toBeLessThan(WORST_MS);
    }
  });

  // For each shape of costly expression, the largest one the limits accept is
  // found (doubling, then halving the step), then timed: the budget, not luck,
  // is what keeps it fast.
  const shapes: [string, (n: number) => string][] = [
    ['a macro nested in a macro over every parameter', (n) => `params.all(k, [${Array.from({ length: n }, (_, i) => i).join(', ')}].all(b, b >= 0))`],
    ['a large body run for every parameter', (n) => `params.all(k, ${Array(n).fill("k != ''").join(' && ')})`],
    ['a regular expression matched against every parameter', (n) => `params.all(k, !k.matches('${'(x+x+)+y'.repeat(n)}'))`],
    ['a string grown at every step', (n) => `params.map(k, k${' + k'.repeat(n)}).size() > 0`],
    ['lists built from lists', (n) => `[1].map(a, [${Array(n).fill('a').join(', ')}]).map(b, [${Array(n).fill('b').join(', ')}]).size() > 0`],
    ['the longest expression without macros', (n) => Array.from({ length: n }, (_, i) => `params.CVN_P_${i % 575} != null`).join(' || ')],
  ];

  it.each(shapes)('evaluates the worst accepted %s in milliseconds', (_shape, expression) => {
    const accepted = (n: number) => createCelProgramCache().evaluate(expression(n), { params }).status !== 'invalid';
    expect(accepted(1)).toBe(true);
    let n = 1;
    while (accepted(n * 2) && n < 1 << 16) n *= 2;
    for (let step = n >> 1; step >= 1; step >>= 1) if (accepted(n + step)) n += step;
    const source = expression(n);
    // The best of three runs: the machine is shared, the interpreter warm after the search.
    const ms = Math.min(...[0, 1, 2].map(() => timed(source).ms));
    expect(ms, `${source.slice(0, 80)}… (n = ${n})`).toBeLessThan(WORST_MS);
  });

  it('accepts every seeded rule, each evaluating in well under a millisecond once compiled', () => {
    const cache = createCelProgramCache();
    for (const rule of seedRules()) {
      const compiled = cache.compile(rule.expression, RULE_VARIABLES);
      expect(compiled.ok, rule.name).toBe(true);
    }
  });

  it('counts brackets outside strings and comments only', () => {
    expect(bracketNesting("f('(((((', \"[[[[\") // ((((\n", 3)).toBe(1);
    expect(bracketNesting("'''(((''' + [[1]]", 3)).toBe(2);
    expect(bracketNesting('((((', 2)).toBe(3);
  });
});
