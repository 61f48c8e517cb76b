import { describe, expect, it } from 'vitest';
import type { ParameterSet } from '../../generated/prisma/client.ts';
import { compareRunComparability, type ComparableRun } from './run-comparability.ts';

// The edges of docs/comparability.md that the API tests do not reach:
// sets frozen before rules and validators were kept ("unknown counts as
// different"), and free-form code versions.

const metadata = { type: 'INT', allowedValues: [], minValue: 1, maxValue: 100, defaultValue: '14', hotReloadable: false, category: 'FEATURE_ENGINEERING', critical: false, deprecated: false };

function set(hash: string, overrides: Partial<ParameterSet> = {}): ParameterSet {
  return {
    hash: hash.repeat(64).slice(0, 64),
    environmentId: null, configVersion: null, catalogVersion: 1n, createdById: null, createdAt: new Date(),
    values: { P: '14', Q: '1' }, catalogSnapshot: { P: metadata, Q: metadata }, factors: {},
    codeVersion: { commit: 'a'.repeat(40), packages: {} }, rules: { r: 'params.P > 0' }, validators: {},
    ...overrides,
  } as ParameterSet;
}
const run = (parameterSet: ParameterSet, legacy = false): ComparableRun => ({ id: parameterSet.hash, name: `run ${parameterSet.hash[0]}`, legacy, parameterSet });

describe('compareRunComparability', () => {
  it('reports a set without recorded rules as RELAXED at best, and one without validators as FORBIDDEN when the other has one', () => {
    const modern = set('1', { factors: { P: '21' } });
    const older = set('2', { rules: null, validators: null });
    expect(compareRunComparability(run(older), run(modern))).toMatchObject({ verdict: 'RELAXED', reasons: [{ code: 'FACTOR_DIFFERS' }, { code: 'RULES_DIFFER' }] });
    const validated = set('3', { validators: { P: 'value > 0' } });
    expect(compareRunComparability(run(older), run(validated))).toMatchObject({
      verdict: 'FORBIDDEN', reasons: [{ code: 'CATALOG_DEFINITION_DIFFERS', parameter: 'P', field: 'validator' }, { code: 'RULES_DIFFER' }],
    });
  });

  it('compares free-form code versions key by key', () => {
    const a = set('4', { codeVersion: { git: 'abc' } });
    const b = set('5', { codeVersion: { git: 'def', image: 'x' } });
    expect(compareRunComparability(run(a), run(b)).reasons.map((r) => [r.code, r.field])).toEqual([
      ['CODE_VERSION_DIFFERS', 'git'], ['CODE_VERSION_DIFFERS', 'image'],
    ]);
  });

  it('takes the weakest verdict of all reasons, and legacy forbids even the same set', () => {
    const s = set('6');
    expect(compareRunComparability(run(s), run(s))).toMatchObject({ verdict: 'STRICT', reasons: [{ code: 'SAME_PARAMETER_SET' }] });
    expect(compareRunComparability(run(s, true), run(s)).verdict).toBe('FORBIDDEN');
    const both = compareRunComparability(run(set('7', { factors: { P: '21' } })), run(set('8', { values: { P: '14', Q: '2' } })));
    expect(both.verdict).toBe('FORBIDDEN');
    expect(both.reasons.map((r) => r.verdict)).toEqual(['RELAXED', 'FORBIDDEN']);
  });
});
