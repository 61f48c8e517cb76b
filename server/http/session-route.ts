import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifySetCookie } from 'cookie';
import { csrfCookieName, csrfHeaderName, sessionCookieName, type Authenticator } from '../auth/index.ts';
import { badRequest, findAppError } from '../errors/index.ts';
import type { Logger } from '../logging/create-logger.ts';
import { sendError } from './send-error.ts';
import { sendJson } from './send-json.ts';

export const sessionPath = '/auth/session';

async function readJson(req: IncomingMessage, limit = 16_384): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function cookies(sessionToken: string, csrfToken: string, maxAgeSeconds: number, secure: boolean): string[] {
  return [
    // HttpOnly: no script can read the session; SameSite=Strict: no other
    // site can send it.
    stringifySetCookie({ name: sessionCookieName, value: sessionToken, httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: maxAgeSeconds }),
    // Readable by the console so it can echo it in the x-csrf-token header.
    stringifySetCookie({ name: csrfCookieName, value: csrfToken, httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge: maxAgeSeconds }),
  ];
}

/**
 * POST signs in ({ username, password }) and sets the session cookies;
 * DELETE signs out; GET says who the cookie belongs to: 200 with
 * `{ signedIn: true, user }`, or 200 with `{ signedIn: false, user: null }`
 * when no session cookie (or an expired one) came. Being signed out is the
 * answer to the question, not a refused request: the console asks on every
 * load, and a 401 there is a console error in every browser. Credentials that
 * are wrong (a bad Basic password) are still refused. Errors are the error
 * table's answer ({ code, message, ...details } with its status), the same
 * codes as the GraphQL API.
 */
export async function handleSessionRoute(req: IncomingMessage, res: ServerResponse, { authenticator, logger, secureCookies, clientAddress }: {
  authenticator: Authenticator;
  logger: Logger;
  /** The cookies' Secure flag for this request (server/http/http-security.ts). */
  secureCookies: boolean;
  /** Where the request comes from: sign-ins are throttled per address. */
  clientAddress: string | null;
}): Promise<void> {
  try {
    if (req.method === 'POST') {
      const body = (await readJson(req).catch(() => null)) as { username?: unknown; password?: unknown } | null;
      if (!body || typeof body.username !== 'string' || typeof body.password !== 'string') {
        return sendError(res, badRequest('Send a JSON body with a username and a password.'));
      }
      // PostgreSQL cannot store or compare a NUL character: refused here, before any query.
      const withNul = (['username', 'password'] as const).find((field) => (body[field] as string).includes('\u0000'));
      if (withNul) return sendError(res, badRequest(`The ${withNul} must not contain NUL characters (\\u0000).`, { field: withNul }));
      const signedIn = await authenticator.signIn(body.username, body.password, clientAddress);
      const maxAge = Math.max(1, Math.floor((signedIn.expiresAt.getTime() - Date.now()) / 1000));
      logger.info({ event: 'user_signed_in', user: signedIn.viewer.username }, 'signed in');
      return sendJson(res, 200, {
        user: { username: signedIn.viewer.username, displayName: signedIn.viewer.displayName, role: signedIn.viewer.role },
        csrfToken: signedIn.csrfToken,
        expiresAt: signedIn.expiresAt.toISOString(),
      }, { 'set-cookie': cookies(signedIn.sessionToken, signedIn.csrfToken, maxAge, secureCookies) });
    }
    const authenticating = authenticator.authenticate({
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      csrfToken: req.headers[csrfHeaderName] as string | undefined,
      csrfExempt: req.method === 'GET',
      clientAddress,
    });
    // An unknown or expired session cookie on GET is "nobody is signed in" too;
    // a wrong Authorization header stays a refusal.
    const cookieOnlyProbe = req.method === 'GET' && !req.headers.authorization;
    const viewer = cookieOnlyProbe
      ? await authenticating.catch((error: unknown) => { if (findAppError(error)?.code === 'UNAUTHENTICATED') return null; throw error; })
      : await authenticating;
    if (req.method === 'GET') {
      if (!viewer || viewer.kind !== 'user') return sendJson(res, 200, { signedIn: false, user: null });
      return sendJson(res, 200, { signedIn: true, user: { username: viewer.username, displayName: viewer.displayName, role: viewer.role } });
    }
    if (req.method === 'DELETE') {
      if (viewer?.kind === 'user' && viewer.sessionId) await authenticator.signOut(viewer.sessionId);
      return sendJson(res, 200, { signedOut: true }, { 'set-cookie': cookies('', '', 0, secureCookies) });
    }
    return sendError(res, badRequest('Use POST to sign in, DELETE to sign out.'), { status: 405, headers: { allow: 'GET, POST, DELETE' } });
  } catch (error) {
    // Faults go up to the server's handler, which logs them before masking.
    if (!findAppError(error)) throw error;
    return sendError(res, error);
  }
}
