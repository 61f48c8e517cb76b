import type { PrismaClient } from './generated/prisma/client.ts';
import type { SqlClient } from './db/sql-client.ts';
import { createChangeRequestReads } from './features/approvals/index.ts';
import { createCatalogReads, type CatalogCache } from './features/catalog/index.ts';
import { createConfigReads, type SnapshotCache } from './features/configuration/index.ts';
import { createFreezeWindowReads } from './features/freeze/index.ts';
import { createRuleReads } from './features/rules/index.ts';
import { createAccessReads } from './features/access/index.ts';
import { createAuditReads } from './features/audit/index.ts';
import { createFtfGridReads, createParameterSetReads, createRunReads } from './features/parameter-sets/index.ts';
import { createWorkerReads } from './features/workers/index.ts';
import { createObservabilityReads } from './features/observability/index.ts';
import type { AppPubSub } from './realtime/pubsub.ts';
import { createConfigValidator } from '../contract/validation/index.ts';

export interface ReadDeps {
  prisma: PrismaClient;
  /** Plain SQL for the hot reads (an agent's load), beside Prisma. */
  sql?: SqlClient;
  /** The process's one catalog cache (the write services share it). */
  catalogCache: CatalogCache;
  /** The process's version snapshots (the writer shares it). */
  snapshotCache?: SnapshotCache;
  /** Subscriptions read the live events from it. */
  pubsub: AppPubSub;
  /** The last version the LISTEN bridge published per environment (a resumed subscription reads no backlog at or after it). */
  publishedVersion?: (environment: string) => number | undefined;
  /** The global ceiling on a value's length (MAX_VALUE_LENGTH), as the writes hold values to it. */
  maxValueLength?: number;
}

/**
 * The composition root of the read side: every read model the GraphQL schema
 * and the plain-HTTP APIs share. Each slice's read model comes from its face
 * (server/features/<slice>/index.ts); resolvers call these, never the database.
 */
export function createReads({ prisma, sql, catalogCache, snapshotCache, pubsub, publishedVersion, maxValueLength }: ReadDeps) {
  // Judges values as the writes do (the FTF grid lists what freezing accepts).
  const validator = createConfigValidator({ maxValueLength });
  return {
    config: createConfigReads({ prisma, sql, catalog: catalogCache, pubsub, publishedVersion, snapshots: snapshotCache }),
    changeRequests: createChangeRequestReads({ prisma, pubsub }),
    catalog: createCatalogReads({ prisma, catalogCache }),
    rules: createRuleReads({ prisma }),
    freezeWindows: createFreezeWindowReads({ prisma }),
    parameterSets: createParameterSetReads({ prisma, catalogCache }),
    runs: createRunReads({ prisma }),
    /** The experiment grid (issue 12): each factor's variants, exactly what freezing accepts. */
    ftfGrid: createFtfGridReads({ prisma, catalogCache, validator }),
    workers: createWorkerReads({ prisma, pubsub }),
    access: createAccessReads({ prisma }),
    audit: createAuditReads({ prisma }),
    /** Time series and tables for the dashboards (Grafana's JSON datasource at /grafana). */
    observability: createObservabilityReads({ prisma }),
    /**
     * The client plugin-prisma resolves relations and connections with. Only
     * schema/builder.ts hands it to the plugin; no resolver calls it directly.
     */
    graph: prisma,
  };
}

export type Reads = ReturnType<typeof createReads>;
