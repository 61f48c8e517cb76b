import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildSchema } from '../schema/index.ts';
import { createPasswordHasher, type PasswordHasher } from '../server/auth/password-hasher.ts';
import type { Database } from '../server/db/database.ts';
import { startHttpServer } from '../server/http/start-http-server.ts';
import type { Logger } from '../server/logging/create-logger.ts';
import { createMetrics } from '../server/metrics/create-metrics.ts';
import { createListenBridge, type ListenBridge } from '../server/realtime/listen-bridge.ts';
import { createAppPubSub } from '../server/realtime/pubsub.ts';
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
  const services = createServices({ prisma: database.prisma, logger, metrics, pubsub, hasher, sessionTtlMs });
  const reads = createReads({ prisma: database.prisma });
  const bridge = createListenBridge({ prisma: database.prisma, source: database.createNotificationSource(), pubsub, logger, metrics });
  await bridge.start({ catalogChanged: () => services.catalogCache.invalidate() });
  try {
    const http = await startHttpServer({ schema: buildSchema(), services, reads, bridge, logger, port, host, secureCookies, wsRecheckIntervalMs, fallback });
    return {
      url: http.url,
      port: http.port,
      services,
      reads,
      bridge,
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
