import { describe, expect, it } from 'vitest';
import { Boundary, boundaryFor, categoryBoundary, type ParameterCategory } from '../../contract/catalog.ts';

const categories: ParameterCategory[] = ['THRESHOLD', 'FILTER_FLAG', 'COOLDOWN', 'RISK_LIMIT', 'MODEL', 'FEATURE_ENGINEERING', 'EXECUTION', 'COST', 'HPO'];

describe('boundary policy (architecture §7)', () => {
  it('maps every category of the schema, and nothing else', () => {
    expect(Object.keys(categoryBoundary).sort()).toEqual([...categories].sort());
    expect(Object.isFrozen(categoryBoundary)).toBe(true);
  });

  it.each([
    ['THRESHOLD', Boundary.CycleEnd],
    ['FILTER_FLAG', Boundary.CycleEnd],
    ['COOLDOWN', Boundary.CycleEnd],
    ['RISK_LIMIT', Boundary.NoPosition],
    // Architecture §7 gives these no live boundary: the catalog's flag cannot give them one.
    ['EXECUTION', Boundary.Restart],
    ['COST', Boundary.Restart],
    ['MODEL', Boundary.Restart],
    ['HPO', Boundary.Restart],
    ['FEATURE_ENGINEERING', Boundary.Restart],
  ] as const)('hot-reloadable %s applies at %s', (category, boundary) => {
    expect(boundaryFor({ category, hotReloadable: true })).toBe(boundary);
  });

  it.each(categories)('a %s parameter that is not hot-reloadable is never applied live', (category) => {
    expect(boundaryFor({ category, hotReloadable: false })).toBe(Boundary.Restart);
  });

  it('an unknown category (server ahead of the agent) waits for a restart', () => {
    expect(boundaryFor({ category: 'QUANTUM', hotReloadable: true })).toBe(Boundary.Restart);
    expect(boundaryFor({ category: 'toString', hotReloadable: true })).toBe(Boundary.Restart);
  });
});
