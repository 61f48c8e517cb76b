import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildSchema, buildSubgraphSchema, reportWorkerApplyDirect } from '../schema/index.ts';
import { startBacktestExecutor, type BacktestExecutor } from './backtest-executor.ts';
import { createCredentialWatch, createPasswordHasher, createVerifiedSessions, createVerifiedTokens, type PasswordHasher, type SignInThrottleOptions } from '../server/auth/index.ts';
import type { Database } from '../server/db/database.ts';
import { operationLimits } from '../server/http/operation-limits.ts';
import { startHttpServer } from '../server/http/start-http-server.ts';
import { startMetricsServer, type RunningMetricsServer } from '../server/http/start-metrics-server.ts';
import type { Logger } from '../server/logging/create-logger.ts';
import { createCatalogCache } from '../server/features/catalog/index.ts';
import { createSnapshotCache } from '../server/features/configuration/index.ts';
import { createMetrics } from '../server/metrics/create-metrics.ts';
import { refreshSharedStateGauges } from '../server/metrics/shared-state-gauges.ts';
import { createListenBridge, type ListenBridge } from '../server/realtime/listen-bridge.ts';
import { createAppPubSub, type AppPubSub } from '../server/realtime/pubsub.ts';
import { createReads, type Reads } from '../server/reads.ts';
import { createServices, type InputLimits, type Services } from '../server/services.ts';

export interface AppOptions {
  database: Database;
  logger: Logger;
  port?: number;
  host?: string;
  hasher?: PasswordHasher;
  /** true/false forces Secure cookies and HSTS; 'auto' (default) sets them for requests that came over HTTPS. */
  secureCookies?: boolean | 'auto';
  /** Origins besides the server's own allowed to call the API with credentials (CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** A reverse proxy in front: believe X-Forwarded-For and X-Forwarded-Proto (TRUST_PROXY). */
  trustProxy?: boolean;
  sessionTtlMs?: number;
  /** Sign-in throttling's limits and clock (tests shorten and move them). */
  signInThrottle?: SignInThrottleOptions;
  /**
   * How often every open socket and stream is judged again without a change
   * announced (a session expiring, a notification missed while LISTEN was down).
   */
  wsRecheckIntervalMs?: number;
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The bearer /metrics on the main port asks for (METRICS_TOKEN); without it only METRICS_PORT serves metrics. */
  metricsToken?: string;
  /** A port of its own for /metrics without a credential (METRICS_PORT; 0: any free port), on `host`. */
  metricsPort?: number;
  /** MAX_VALUE_LENGTH, MAX_JSON_BYTES, MAX_JSON_DEPTH. */
  limits?: InputLimits;
  /**
   * Run the backtests the product queues (a re-run of a backtest) in this
   * process (app/backtest-executor.ts); off unless given (`npm start` turns it
   * on, BACKTEST_EXECUTOR=false turns it off).
   */
  backtests?: { pollIntervalMs?: number; maxRunMs?: number };
}

export interface App {
  url: string;
  port: number;
  services: Services;
  reads: Reads;
  bridge: ListenBridge;
  /** The process's event bus (tests wait on it to know a subscriber is attached). */
  pubsub: AppPubSub;
  /** The metrics listener's URL when metricsPort was given. */
  metricsUrl?: string;
  /** The backtest executor, when `backtests` was given. */
  backtests?: BacktestExecutor;
  close(): Promise<void>;
}

/**
 * Wires one server process: services over the database, the LISTEN bridge
 * feeding subscriptions, and the HTTP/WebSocket server. The database stays
 * the caller's (tests share one across restarts).
 */
export async function createApp({ database, logger, port, host, hasher = createPasswordHasher(), secureCookies, corsOrigins, trustProxy, sessionTtlMs, signInThrottle, wsRecheckIntervalMs, fallback, metricsToken, metricsPort, limits, backtests: backtestOptions }: AppOptions): Promise<App> {
  const metrics = createMetrics();
  const pubsub = createAppPubSub();
  const catalogCache = createCatalogCache({ listening: () => listening() });
  // Versions never change: the writer and the reads share what either has read.
  const snapshotCache = createSnapshotCache();
  const { prisma } = database;
  // The executor needs the server's URL, so it starts after the server; a re-run queued before that is found by its first pass.
  let backtests: BacktestExecutor | undefined;
  // Tokens verified moments ago are trusted only while credential changes are heard (the bridge below is up).
  let listening = () => false;
  const verifiedTokens = createVerifiedTokens({ listening: () => listening() });
  const verifiedSessions = createVerifiedSessions({ listening: () => listening() });
  const services = createServices({ prisma, sql: database.sql, logger, metrics, hasher, catalogCache, snapshotCache, sessionTtlMs, signInThrottle, verifiedTokens, verifiedSessions, limits, onBacktestQueued: () => backtests?.wake() });
  const tokenChanges = pubsub.subscribe('credentialsChanged');
  void (async () => {
    for await (const change of tokenChanges) {
      verifiedTokens.forget(change);
      verifiedSessions.forget(change);
    }
  })();
  // Ends sockets and streams as soon as their credential changes (NOTIFY credentials_changed).
  const credentialWatch = createCredentialWatch({
    current: services.authenticator.current, changes: pubsub.subscribe('credentialsChanged'), logger, recheckIntervalMs: wsRecheckIntervalMs,
  });
  const bridge = createListenBridge({ prisma, sql: database.sql, source: database.createNotificationSource(), pubsub, logger, metrics });
  const reads = createReads({ prisma, sql: database.sql, catalogCache, snapshotCache, pubsub, publishedVersion: bridge.lastPublished, maxValueLength: limits?.maxValueLength });
  listening = () => bridge.isConnected();
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
      schema: buildSchema(), subgraphSchema: buildSubgraphSchema, services, reads, bridge, logger, metrics, refreshMetrics, checkDatabase,
      port, host, secureCookies, corsOrigins, trustProxy, credentialWatch, fallback, metricsToken,
      // The agents' apply report, a thousand per save, answered without GraphQL's per-operation execution.
      directOperations: [reportWorkerApplyDirect({ services, maxListItems: operationLimits.listItems })],
    });
    const metricsServer: RunningMetricsServer | undefined = metricsPort === undefined ? undefined : await startMetricsServer({ metrics, refreshMetrics, logger, port: metricsPort, host }).catch(async (error: unknown) => {
      await http.close();
      throw error;
    });
    backtests = backtestOptions && startBacktestExecutor({ url: http.url, runs: reads.runs, access: services.access, logger, ...backtestOptions });
    return {
      url: http.url,
      port: http.port,
      metricsUrl: metricsServer?.url,
      backtests,
      services,
      reads,
      bridge,
      pubsub,
      async close() {
        // First: a backtest still running records its end through this server.
        await backtests?.stop();
        await metricsServer?.close();
        await http.close();
        await credentialWatch.close();
        await tokenChanges.return?.();
        // Reports accepted before the sockets closed are written, not dropped.
        await services.workers.drained();
        await bridge.close();
      },
    };
  } catch (error) {
    await credentialWatch.close();
    await tokenChanges.return?.();
    await bridge.close();
    throw error;
  }
}
