import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { noRoute } from '../errors/index.ts';
import type { Logger } from '../logging/create-logger.ts';
import { createMetricsRoute, metricsPath, type MetricsRouteOptions } from './metrics-route.ts';
import { sendError } from './send-error.ts';

export interface RunningMetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * /metrics alone on a port of its own (METRICS_PORT), without a credential:
 * what Prometheus scrapes through pod annotations. The network decides who
 * reaches it (k8s/network-policies.yaml: the monitoring namespace only); the
 * public port keeps asking for METRICS_TOKEN.
 */
export async function startMetricsServer({ metrics, refreshMetrics, logger, port, host = '127.0.0.1' }: Omit<MetricsRouteOptions, 'token'> & {
  logger: Logger;
  port: number;
  host?: string;
}): Promise<RunningMetricsServer> {
  const serve = createMetricsRoute({ metrics, refreshMetrics, token: null });
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const answer = path === metricsPath ? serve(req, res) : Promise.resolve(sendError(res, noRoute(path)));
    answer.catch((error: unknown) => {
      logger.error({ event: 'metrics_scrape_failed', err: error instanceof Error ? error.message : String(error) }, 'metrics scrape failed');
      if (!res.headersSent) sendError(res, error);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
