import type { Prisma } from '../../generated/prisma/client.ts';
import type { Viewer } from '../../auth/index.ts';

// What a service token may see of parameter sets and runs: its environment's
// and nothing else. A set belongs to every environment that froze it (the same
// content frozen from dev and prod is one set, known to both); a run to the
// environment it runs in. Operators see everything.

/** The environment a caller is confined to: a service token's own; none for an operator. */
export function confinedEnvironment(viewer: Viewer | null): string | undefined {
  return viewer?.kind === 'service' ? viewer.environmentId : undefined;
}

/** The sets `viewer` may read. */
export function visibleSets(viewer: Viewer | null): Pick<Prisma.ParameterSetWhereInput, 'freezes'> {
  const environmentId = confinedEnvironment(viewer);
  return environmentId ? { freezes: { some: { environmentId } } } : {};
}
