import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { ConfigValidator } from '../../../contract/validation/index.ts';
import { assertEnvironmentReadable, type Viewer } from '../../auth/index.ts';
import { unauthenticated } from '../../errors/app-error.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { findEnvironment, readSnapshot } from '../configuration/index.ts';
import { ftfGrid, parseGridFactors, type FtfGridFactor } from './ftf-grid.ts';

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
  return {
    async grid(viewer: Viewer | null, { environment, factors, field = 'factors' }: FtfGridQuery): Promise<FtfGrid> {
      if (!viewer) throw unauthenticated();
      const names = parseGridFactors(factors, field);
      const env = await findEnvironment(prisma, environment);
      assertEnvironmentReadable(viewer, env.id, env.name);
      // A version's values never change; the catalog is the cached revision, named in the answer.
      const [values, catalog] = await Promise.all([readSnapshot(prisma, env), catalogCache.load(prisma)]);
      return {
        environment: env.name,
        version: env.activeVersion,
        catalogVersion: Number(catalog.revision),
        factors: ftfGrid(validator, { catalog, values, factors: names }),
      };
    },
  };
}

export type FtfGridReads = ReturnType<typeof createFtfGridReads>;
