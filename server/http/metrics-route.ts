import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unauthenticated } from '../errors/index.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { sendError } from './send-error.ts';

export const metricsPath = '/metrics';

export interface MetricsRouteOptions {
  metrics: Metrics;
  /** Brings the gauges read from the database up to date before a scrape. Never throws. */
  refreshMetrics: () => Promise<void>;
  /**
   * The bearer a scrape must present (METRICS_TOKEN). Undefined: none is
   * accepted, on this listener the exposition is refused to everyone (scrape
   * METRICS_PORT instead). Null: no credential asked (the separate metrics
   * listener, reachable only where the network allows).
   */
  token: string | null | undefined;
}

/** Prometheus's scrape config names the credential with `authorization: { credentials_file: … }`. */
const bearerChallenge = { 'WWW-Authenticate': 'Bearer realm="ucp-metrics"' };

/** Compared as digests: constant time whatever the lengths. */
const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function presented(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * The Prometheus exposition. It names environments and workers and costs a
 * database read per scrape, so on the public port it needs METRICS_TOKEN
 * (UNAUTHENTICATED otherwise).
 */
export function createMetricsRoute({ metrics, refreshMetrics, token }: MetricsRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (token !== null) {
      const bearer = presented(req);
      if (token === undefined || !bearer || !sameSecret(bearer, token)) {
        const message = token === undefined
          ? 'Metrics are not served on this port without METRICS_TOKEN: scrape METRICS_PORT, or set METRICS_TOKEN and send it as a bearer token.'
          : 'Send METRICS_TOKEN as a bearer token to read the metrics.';
        return sendError(res, unauthenticated(message), { headers: bearerChallenge });
      }
    }
    await refreshMetrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(await metrics.registry.metrics());
  };
}
