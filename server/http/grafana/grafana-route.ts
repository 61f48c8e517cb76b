import type { IncomingMessage, ServerResponse } from 'node:http';
import { csrfHeaderName, type Authenticator, type CredentialSource } from '../../auth/index.ts';
import { badRequest, findAppError, limitExceeded, noRoute, unauthenticated } from '../../errors/index.ts';
import type { ObservabilityReads } from '../../features/observability/index.ts';
import { sendError } from '../send-error.ts';
import { sendJson } from '../send-json.ts';
import { grafanaEndpoints } from './grafana-endpoints.ts';

/** Where Grafana's JSON datasource (simpod-json-datasource 0.6) points its URL. */
export const grafanaPath = '/grafana';
/** The custom header the datasource sends the token in (Grafana: Custom HTTP Headers). */
export const grafanaTokenHeader = 'x-ucp-token';

/** A panel's query with its scoped variables stays far below this. */
const maxBodyBytes = 256 * 1024;

export const isGrafanaPath = (path: string) => path === grafanaPath || path.startsWith(`${grafanaPath}/`);

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw limitExceeded(`The body is larger than ${maxBodyBytes / 1024} KiB.`, { limit: 'requestBytes', max: maxBodyBytes });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The body is not JSON.');
  }
}

/**
 * The credential: the token in X-UCP-Token (with or without "Bearer "), else
 * the usual ones (Authorization Basic or Bearer, or a console session with
 * its CSRF token on POST). The authenticator decides, as on every transport.
 */
function credentials(req: IncomingMessage, clientAddress: string | null | undefined): CredentialSource {
  const header = req.headers[grafanaTokenHeader];
  const token = (Array.isArray(header) ? header[0] : header)?.trim().replace(/^bearer\s+/i, '');
  if (token) return { authorization: `Bearer ${token}`, csrfExempt: true, clientAddress };
  return {
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    csrfToken: req.headers[csrfHeaderName] as string | undefined,
    csrfExempt: req.method === 'GET',
    clientAddress,
  };
}

/**
 * The JSON datasource's API under /grafana. Every endpoint reads, none
 * writes: any signed-in caller may use it, scoped to the environments it may
 * read (an operator or a read-only monitor token every environment, a
 * service token its own). Errors are the error table's answer
 * (`{ error: { code, message } }`), which the datasource's "Test" shows.
 */
export async function handleGrafanaRoute(
  req: IncomingMessage,
  res: ServerResponse,
  { authenticator, observability, clientAddress }: {
    authenticator: Authenticator;
    observability: ObservabilityReads;
    /** The caller's address: Basic sign-ins are throttled per address too. */
    clientAddress?: string | null;
  },
): Promise<void> {
  try {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint = grafanaEndpoints[path.slice(grafanaPath.length) || '/'];
    if (!endpoint) throw noRoute(path);
    if (req.method !== endpoint.method && !(endpoint.method === 'GET' && req.method === 'HEAD')) {
      return sendError(res, badRequest(`Use ${endpoint.method} on ${path}.`), { status: 405, headers: { allow: endpoint.method } });
    }
    const viewer = await authenticator.authenticate(credentials(req, clientAddress));
    if (!viewer) throw unauthenticated(`Send a service token in the ${grafanaTokenHeader} header (or Authorization: Bearer).`);
    const body = endpoint.method === 'POST' ? await readJsonBody(req) : undefined;
    return sendJson(res, 200, await endpoint.handle({ viewer, body, observability }));
  } catch (error) {
    // Faults go up to the server's handler, which logs them before masking.
    if (!findAppError(error)) throw error;
    return sendError(res, error);
  }
}
