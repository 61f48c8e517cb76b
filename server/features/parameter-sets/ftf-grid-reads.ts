import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { ConfigValidator } from '../../../contract/validation/index.ts';
import { assertEnvironmentReadable, type Viewer } from '../../auth/index.ts';
import { unauthenticated } from '../../errors/app-error.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { findEnvironment, readSnapshot } from '../configuration/index.ts';
import { ftfGrid, ftfParticipation, parseGridFactors, type FtfGridFactor, type FtfGridInput, type FtfParticipation } from './ftf-grid.ts';

export interface FtfGridQuery {
  environment: string;
  factors: readonly string[];
  /** Names the list in refusals, e.g. `Query.ftfGrid(factors)` or the HTTP parameter. */
  field?: string;
}

export interface FtfGrid {
  environment: string;
  /** The environment version the grid was computed on (freeze that version to run it). */
  version: number;
  /** The catalog revision it was computed with (parameter sets record the same number). */
  catalogVersion: number;
  factors: FtfGridFactor[];
}

/**
 * The FTF grid as a read model: GraphQL's ftfGrid and GET /api/ftf-grid both
 * answer from here, with the same authorization (anyone signed in who may
 * read the environment: an operator, or a token of that environment).
 */
export function createFtfGridReads({ prisma, catalogCache, validator }: { prisma: PrismaClient; catalogCache: CatalogCache; validator: ConfigValidator }) {
  /** The environment's active values and the catalog, for a caller who may read that environment. */
  async function inputFor(viewer: Viewer | null, { environment, factors, field = 'factors' }: FtfGridQuery) {
    if (!viewer) throw unauthenticated();
    const names = parseGridFactors(factors, field);
    const env = await findEnvironment(prisma, environment);
    assertEnvironmentReadable(viewer, env.id, env.name);
    // A version's values never change; the catalog is the cached revision, named in the answer.
    const [values, catalog] = await Promise.all([readSnapshot(prisma, env), catalogCache.load(prisma)]);
    const input: FtfGridInput = { catalog, values, factors: names };
    return { env, input };
  }

  return {
    /** Each factor's variants; refused as a whole (VALIDATION_FAILED / DEPRECATED) when one cannot be a factor. */
    async grid(viewer: Viewer | null, query: FtfGridQuery): Promise<FtfGrid> {
      const { env, input } = await inputFor(viewer, query);
      return { environment: env.name, version: env.activeVersion, catalogVersion: Number(input.catalog.revision), factors: ftfGrid(validator, input) };
    },

    /** Whether and how each parameter takes part in sweeps (its grid, or why it cannot be a factor); never refuses a name. */
    async participation(viewer: Viewer | null, query: FtfGridQuery): Promise<FtfParticipation[]> {
      const { input } = await inputFor(viewer, query);
      return ftfParticipation(validator, input);
    },
  };
}

export type FtfGridReads = ReturnType<typeof createFtfGridReads>;
