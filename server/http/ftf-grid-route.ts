import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/index.ts';
import { badRequest, findAppError, unauthenticated } from '../errors/index.ts';
import type { FtfGridReads } from '../features/parameter-sets/index.ts';
import { sendError } from './send-error.ts';
import { sendJson } from './send-json.ts';

/** The FTF grid for callers without a GraphQL client (the Python fine-tuning framework). */
export const ftfGridPath = '/api/ftf-grid';

/**
 * GET /api/ftf-grid?environment=dev&factor=A&factor=B with a service token
 * (Authorization: Bearer ucp_…) or HTTP Basic: the same read model, the same
 * authorization and the same error table as Query.ftfGrid, answered as
 * `{ environment, version, catalogVersion, factors: [{ name, type, baseValue,
 * kind, variants, searchSpace, validator }] }` or `{ error: { code, message, ... } }`.
 */
export async function handleFtfGridRoute(req: IncomingMessage, res: ServerResponse, { authenticator, ftfGrid, clientAddress }: {
  authenticator: Authenticator;
  ftfGrid: FtfGridReads;
  clientAddress?: string | null;
}): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, badRequest(`Use GET on ${ftfGridPath}.`), { status: 405, headers: { allow: 'GET' } });
    const viewer = await authenticator.authenticate({
      authorization: req.headers.authorization, cookie: req.headers.cookie, csrfExempt: true, clientAddress,
    });
    if (!viewer) throw unauthenticated('Send a service token (Authorization: Bearer ucp_…) or HTTP Basic credentials.');
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const environment = query.get('environment');
    if (!environment) throw badRequest('Name the environment: ?environment=dev.', { field: 'environment' });
    const grid = await ftfGrid.grid(viewer, { environment, factors: query.getAll('factor'), field: 'factor' });
    return sendJson(res, 200, {
      ...grid,
      factors: grid.factors.map(({ sweep, ...factor }) => ({
        ...factor,
        kind: sweep.kind,
        variants: sweep.kind === 'VALUES' ? sweep.variants : [],
        searchSpace: sweep.kind === 'RANGE'
          ? { min: sweep.min, max: sweep.max, scale: sweep.scale === 'log' ? 'LOG' : 'LINEAR', integer: sweep.integer, source: sweep.source }
          : null,
      })),
    });
  } catch (error) {
    // Faults go up to the server's handler, which logs them before masking.
    if (!findAppError(error)) throw error;
    return sendError(res, error);
  }
}
