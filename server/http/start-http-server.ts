import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import { basicChallenge, errorTable, noRoute } from '../errors/index.ts';
import type { CredentialWatch } from '../auth/index.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import type { ListenBridge } from '../realtime/listen-bridge.ts';
import type { Reads } from '../reads.ts';
import type { Services } from '../services.ts';
import { attachGraphQLWs } from './attach-graphql-ws.ts';
import type { DirectOperation } from './direct-operation.ts';
import { createAppYoga, graphqlPath, subgraphPath } from './create-yoga.ts';
import { createHttpSecurity } from './http-security.ts';
import { handleSessionRoute, sessionPath } from './session-route.ts';
import { handleGrafanaRoute, isGrafanaPath } from './grafana/grafana-route.ts';
import { ftfGridPath, handleFtfGridRoute } from './ftf-grid-route.ts';
import { createMetricsRoute, metricsPath } from './metrics-route.ts';
import { handleRunReportRoute, isRunReportPath } from './run-report/run-report-route.ts';
import { sendError } from './send-error.ts';
import { sendJson } from './send-json.ts';

export interface HttpServerOptions {
  schema: GraphQLSchema;
  /**
   * Builds the federation subgraph's schema (the same graph with
   * `_service`/`_entities`), served on /subgraph. Called on the first
   * /subgraph request: a second copy of the whole graph is memory that a
   * server no gateway ever calls has no use for.
   */
  subgraphSchema?: () => GraphQLSchema;
  services: Services;
  reads: Reads;
  bridge: ListenBridge;
  logger: Logger;
  metrics: Metrics;
  /** Brings the gauges read from the database up to date before a scrape. Never throws. */
  refreshMetrics: () => Promise<void>;
  /** Whether the database answers (readiness). */
  checkDatabase: () => Promise<boolean>;
  port?: number;
  host?: string;
  /** true/false forces the cookies' Secure flag and HSTS; 'auto' (default) follows the request's scheme. */
  secureCookies?: boolean | 'auto';
  /** Origins besides the server's own allowed to call the API with credentials (CORS). */
  corsOrigins?: readonly string[];
  /** Believe X-Forwarded-For/-Proto (a reverse proxy in front). */
  trustProxy?: boolean;
  /** Ends sockets and subscription streams whose credential changed. */
  credentialWatch: CredentialWatch;
  /** Extra routes tried before GraphQL (the console's static files). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The bearer /metrics on this port asks for (METRICS_TOKEN); without it /metrics here refuses everyone. */
  metricsToken?: string;
  /** Documents graphql-ws answers without GraphQL's per-operation execution (direct-operation.ts). */
  directOperations?: readonly DirectOperation[];
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function wantsHtml(req: IncomingMessage): boolean {
  return req.method === 'GET' && (req.headers.accept ?? '').includes('text/html');
}

/**
 * One port for everything: GraphQL over HTTP, SSE and WebSocket on /graphql,
 * the federation subgraph on /subgraph, the session endpoint, health,
 * readiness and metrics.
 */
export async function startHttpServer({ schema, subgraphSchema, services, reads, bridge, logger, metrics, refreshMetrics, checkDatabase, port = 0, host = '127.0.0.1', secureCookies = 'auto', corsOrigins, trustProxy, credentialWatch, fallback, metricsToken, directOperations }: HttpServerOptions): Promise<RunningHttpServer> {
  const serveMetrics = createMetricsRoute({ metrics, refreshMetrics, token: metricsToken });
  const security = createHttpSecurity({ corsOrigins, trustProxy, secureCookies });
  const yoga = createAppYoga({ schema, services, reads, logger, credentialWatch, security });
  let subgraph: ReturnType<typeof createAppYoga> | undefined;
  const subgraphYoga = subgraphSchema && (() =>
    subgraph ??= createAppYoga({ schema: subgraphSchema(), endpoint: subgraphPath, services, reads, logger, credentialWatch, security }));

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      security.applyHeaders(req, res);
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const database = await checkDatabase();
        const listen = bridge.isConnected();
        return sendJson(res, database && listen ? 200 : 503, { status: database && listen ? 'ready' : 'not ready', database, listen });
      }
      if (path === metricsPath) return serveMetrics(req, res);
      if (path === sessionPath) {
        return handleSessionRoute(req, res, { authenticator: services.authenticator, logger, secureCookies: security.secure(req), clientAddress: security.clientAddress(req) });
      }
      if (isGrafanaPath(path)) return handleGrafanaRoute(req, res, { authenticator: services.authenticator, observability: reads.observability, clientAddress: security.clientAddress(req) });
      if (path === ftfGridPath) return handleFtfGridRoute(req, res, { authenticator: services.authenticator, ftfGrid: reads.ftfGrid, clientAddress: security.clientAddress(req) });
      if (isRunReportPath(path)) return handleRunReportRoute(req, res, { authenticator: services.authenticator, reads, clientAddress: security.clientAddress(req) });
      if (path === graphqlPath && wantsHtml(req)) {
        // GraphiQL is for signed-in people only: ask the browser for Basic
        // credentials unless a session cookie or credentials are present.
        const viewer = await services.authenticator.authenticate({
          authorization: req.headers.authorization, cookie: req.headers.cookie, csrfExempt: true, clientAddress: security.clientAddress(req),
        }).catch(() => null);
        if (!viewer) {
          res.writeHead(errorTable.UNAUTHENTICATED.httpStatus, { ...basicChallenge, 'content-type': 'text/plain; charset=utf-8' });
          return res.end('Sign in to use GraphiQL.');
        }
      }
      if (path.startsWith(graphqlPath)) return yoga(req, res);
      if (subgraphYoga && path === subgraphPath) return subgraphYoga()(req, res);
      if (fallback && (await fallback(req, res))) return;
      return sendError(res, noRoute(path));
    })().catch((error: unknown) => {
      logger.error({ event: 'http_handler_failed', err: error instanceof Error ? error.message : String(error) }, 'request failed');
      if (!res.headersSent) sendError(res, error);
      else res.end();
    });
  });

  const ws = attachGraphQLWs({ server, yoga, authenticator: services.authenticator, credentialWatch, clientAddress: security.clientAddress, metrics, logger, directOperations });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A fleet starting or reconnecting after a restart connects at once: with
    // Node's default accept queue (511) the kernel drops the excess, whose
    // clients retry their SYN after 1, 3, 7 s (seconds on start → READY).
    // The kernel caps it at net.core.somaxconn.
    server.listen({ port, host, backlog: 4096 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    url,
    port: address.port,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
