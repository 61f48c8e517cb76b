import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildSchema } from '../schema/index.ts';
import { createPasswordHasher, type PasswordHasher } from '../server/auth/index.ts';
import type { Database } from '../server/db/database.ts';
import { startHttpServer } from '../server/http/start-http-server.ts';
import type { Logger } from '../server/logging/create-logger.ts';
import { createCatalogCache } from '../server/features/catalog/index.ts';
import { createMetrics } from '../server/metrics/create-metrics.ts';
import { refreshSharedStateGauges } from '../server/metrics/shared-state-gauges.ts';
import { createListenBridge, type ListenBridge } from '../server/realtime/listen-bridge.ts';
import { createAppPubSub, type AppPubSub } from '../server/realtime/pubsub.ts';
import { createReads, type Reads } from '../server/reads.ts';
import { createServices, type Services } from '../server/services.ts';

export interface AppOptions {
  database: Database;
  logger: Logger;
  port?: number;
  host?: string;
  hasher?: PasswordHasher;
  secureCookies?: boolean;
  sessionTtlMs?: number;
  /** How often open WebSockets are re-checked against revoked credentials. */
  wsRecheckIntervalMs?: number;
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

export interface App {
  url: string;
  port: number;
  services: Services;
  reads: Reads;
  bridge: ListenBridge;
  /** The process's event bus (tests wait on it to know a subscriber is attached). */
  pubsub: AppPubSub;
  close(): Promise<void>;
}

/**
 * Wires one server process: services over the database, the LISTEN bridge
 * feeding subscriptions, and the HTTP/WebSocket server. The database stays
 * the caller's (tests share one across restarts).
 */
export async function createApp({ database, logger, port, host, hasher = createPasswordHasher(), secureCookies, sessionTtlMs, wsRecheckIntervalMs, fallback }: AppOptions): Promise<App> {
  const metrics = createMetrics();
  const pubsub = createAppPubSub();
  const catalogCache = createCatalogCache();
  const { prisma } = database;
  const services = createServices({ prisma, logger, metrics, hasher, catalogCache, sessionTtlMs });
  const reads = createReads({ prisma, catalogCache, pubsub });
  const bridge = createListenBridge({ prisma, source: database.createNotificationSource(), pubsub, logger, metrics });
  await bridge.start({ catalogChanged: () => catalogCache.invalidate() });
  // Gauges that describe the shared database state are read at scrape time,
  // so every replica reports the same figures.
  const refreshMetrics = async () => {
    await services.workers.refreshLagMetrics().catch((error: unknown) =>
      logger.warn({ event: 'lag_metrics_failed', err: error instanceof Error ? error.message : String(error) }, 'could not compute worker lag'));
    await refreshSharedStateGauges({ prisma, metrics }).catch((error: unknown) =>
      logger.warn({ event: 'shared_state_metrics_failed', err: error instanceof Error ? error.message : String(error) }, 'could not read per-worker state'));
  };
  const checkDatabase = () => prisma.$queryRaw`SELECT 1`.then(() => true, () => false);
  try {
    const http = await startHttpServer({
      schema: buildSchema(), services, reads, bridge, logger, metrics, refreshMetrics, checkDatabase,
      port, host, secureCookies, wsRecheckIntervalMs, fallback,
    });
    return {
      url: http.url,
      port: http.port,
      services,
      reads,
      bridge,
      pubsub,
      async close() {
        await http.close();
        // Reports accepted before the sockets closed are written, not dropped.
        await services.workers.drained();
        await bridge.close();
      },
    };
  } catch (error) {
    await bridge.close();
    throw error;
  }
}
