import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface HttpSecurityOptions {
  /**
   * Origins (scheme://host[:port]) other than the server's own whose pages may
   * call the API with the caller's credentials. Empty: same origin only.
   */
  corsOrigins?: readonly string[];
  /** Behind a reverse proxy: take the client's address and scheme from X-Forwarded-For / -Proto. */
  trustProxy?: boolean;
  /** true or false forces the cookies' Secure flag (and HSTS); 'auto' sets them when the request came over HTTPS. */
  secureCookies?: boolean | 'auto';
}

const oneYear = 31_536_000;

/** The last entry of a comma-separated forwarding header: the one the trusted proxy itself added. */
const lastForwarded = (value: string | string[] | undefined) => {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const last = joined?.split(',').map((part) => part.trim()).filter(Boolean).at(-1);
  return last || undefined;
};

/**
 * How the server treats a request's origin, address and scheme: which
 * foreign origins get CORS headers (no Origin is reflected with credentials),
 * where a sign-in attempt comes from (throttling), whether it came over HTTPS
 * (Secure cookies and HSTS), and the headers every API answer carries.
 * Forwarding headers are believed only with `trustProxy`: anyone can send them.
 */
export function createHttpSecurity({ corsOrigins = [], trustProxy = false, secureCookies = 'auto' }: HttpSecurityOptions = {}) {
  const allowed = new Set(corsOrigins.map((origin) => new URL(origin).origin));

  function overHttps(req: IncomingMessage): boolean {
    if ((req.socket as TLSSocket).encrypted) return true;
    return trustProxy && lastForwarded(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https';
  }

  const secure = (req: IncomingMessage): boolean => (secureCookies === 'auto' ? overHttps(req) : secureCookies);

  return {
    /** The caller's address: the socket's peer, or what the trusted proxy says it saw. */
    clientAddress(req: IncomingMessage): string | null {
      if (trustProxy) {
        const forwarded = lastForwarded(req.headers['x-forwarded-for']);
        if (forwarded) return forwarded;
      }
      return req.socket.remoteAddress ?? null;
    },

    /** Whether cookies get the Secure flag (and answers HSTS). */
    secure,

    /**
     * Yoga's `cors` option: the configured origins get their own origin back
     * with credentials; any other Origin (the server's own needs none) gets
     * no CORS header at all, so the browser keeps the answer from the page.
     */
    cors(request: Request) {
      const origin = request.headers.get('origin');
      if (!origin || !allowed.has(origin)) return false as const;
      return {
        origin: [origin],
        credentials: true,
        methods: ['GET', 'POST', 'PUT', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'accept', 'x-csrf-token'],
        maxAge: 600,
      };
    },

    /** Set before any route answers; a route may still override Cache-Control (the console's assets do). */
    applyHeaders(req: IncomingMessage, res: ServerResponse): void {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cache-Control', 'no-store');
      if (secure(req)) res.setHeader('Strict-Transport-Security', `max-age=${oneYear}; includeSubDomains`);
    },
  };
}

export type HttpSecurity = ReturnType<typeof createHttpSecurity>;
