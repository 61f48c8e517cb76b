// The contract's catalog enums are hand-written (the contract imports nothing
// from the server); this holds them to the database's enums, which Prisma
// generates from prisma/schema.prisma. A test may import the server.
import { describe, expect, it } from 'vitest';
import { ParameterCategory as PrismaParameterCategory, ParameterType as PrismaParameterType, RunKind, WorkerStatus } from '../server/generated/prisma/enums.ts';
import { Boundary, categoryBoundary, HOT_RELOADABLE_CATEGORIES, isHotReloadableCategory, PARAMETER_CATEGORIES, PARAMETER_TYPES } from './catalog.ts';
import { WORKER_MODES, WORKER_STATUSES } from './protocol.ts';

describe('contract catalog enums', () => {
  it('lists exactly the Prisma enums, in their order', () => {
    expect(PARAMETER_TYPES).toEqual(Object.values(PrismaParameterType));
    expect(PARAMETER_CATEGORIES).toEqual(Object.values(PrismaParameterCategory));
    expect(WORKER_MODES).toEqual(Object.values(RunKind));
    expect(WORKER_STATUSES).toEqual(Object.values(WorkerStatus));
  });

  it('gives every category a boundary', () => {
    expect(Object.keys(categoryBoundary).sort()).toEqual([...PARAMETER_CATEGORIES].sort());
  });

  it('answers "which categories can hot-reload" once: those with a live boundary, the four of architecture §7', () => {
    expect([...HOT_RELOADABLE_CATEGORIES].sort()).toEqual(['COOLDOWN', 'FILTER_FLAG', 'RISK_LIMIT', 'THRESHOLD']);
    for (const category of PARAMETER_CATEGORIES) {
      expect(isHotReloadableCategory(category), category).toBe(categoryBoundary[category] !== Boundary.Restart);
    }
    expect(isHotReloadableCategory('QUANTUM')).toBe(false);
  });
});
