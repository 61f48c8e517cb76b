import type { Plugin } from 'graphql-yoga';
import { csrfHeaderName, type Authenticator, type Viewer } from '../auth/index.ts';

/** Where a request's authentication is kept on yoga's server context (one object per HTTP request). */
const settledKey = Symbol('ucp.requestViewer');

type Settled = { viewer: Viewer | null } | { error: unknown };
type WithSettled = { [settledKey]?: Settled; request?: Request; socketViewer?: Viewer | null };

export interface RequestViewers {
  /**
   * A yoga plugin that authenticates each request once, when it arrives,
   * before its document is parsed and validated: validation depends on who
   * asks (suggestions only for signed-in callers). It runs for both SSE
   * protocols too, since both enter through yoga's request handler.
   */
  plugin: Plugin;
  /**
   * The context factory's viewer: the one settled on arrival, or (a request
   * that did not pass the plugin) authenticated now. A refused credential
   * (bad password, missing CSRF token) throws here, as it always did.
   */
  viewerOf(initialContext: unknown): Promise<Viewer | null>;
  /**
   * While parsing and validating: the signed-in viewer when one is known,
   * else null (anonymous, or credentials that were refused). graphql-ws hands
   * its socket's viewer in as `socketViewer`.
   */
  knownViewer(initialContext: unknown): Viewer | null;
}

export function createRequestViewers({ authenticator, clientAddress }: {
  authenticator: Pick<Authenticator, 'authenticate'>;
  /** The caller's address from yoga's server context (node's `req`), for the sign-in throttle. */
  clientAddress?: (serverContext: unknown) => string | null;
}): RequestViewers {
  const authenticateRequest = (request: Request, serverContext: unknown) => {
    const method = request.method.toUpperCase();
    return authenticator.authenticate({
      authorization: request.headers.get('authorization'),
      cookie: request.headers.get('cookie'),
      csrfToken: request.headers.get(csrfHeaderName),
      // Yoga refuses mutations over GET, so reads by GET cannot change anything.
      csrfExempt: method === 'GET' || method === 'HEAD',
      ...(clientAddress ? { clientAddress: clientAddress(serverContext) } : {}),
    });
  };

  return {
    plugin: {
      onRequest({ request, serverContext }) {
        const context = serverContext as WithSettled;
        return authenticateRequest(request, serverContext).then(
          (viewer) => { context[settledKey] = { viewer }; },
          (error: unknown) => { context[settledKey] = { error }; },
        );
      },
    },
    async viewerOf(initialContext) {
      const context = initialContext as WithSettled;
      const settled = context[settledKey];
      if (settled === undefined) return authenticateRequest(context.request as Request, initialContext);
      if ('error' in settled) throw settled.error;
      return settled.viewer;
    },
    knownViewer(initialContext) {
      const context = initialContext as WithSettled;
      if (context.socketViewer !== undefined) return context.socketViewer;
      const settled = context[settledKey];
      return settled !== undefined && 'viewer' in settled ? settled.viewer : null;
    },
  };
}
