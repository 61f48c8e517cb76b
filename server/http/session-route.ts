import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringifySetCookie } from 'cookie';
import { csrfCookieName, csrfHeaderName, sessionCookieName } from '../auth/authenticator.ts';
import { findAppError } from '../errors/to-graphql-error.ts';
import type { Services } from '../services.ts';
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
 * DELETE signs out; GET says who the cookie belongs to. Errors use the same
 * { code, message } as the GraphQL API.
 */
export async function handleSessionRoute(req: IncomingMessage, res: ServerResponse, { services, secureCookies }: { services: Services; secureCookies: boolean }): Promise<void> {
  try {
    if (req.method === 'POST') {
      const body = (await readJson(req).catch(() => null)) as { username?: unknown; password?: unknown } | null;
      if (!body || typeof body.username !== 'string' || typeof body.password !== 'string') {
        return sendJson(res, 400, { error: { code: 'BAD_REQUEST', message: 'Send a JSON body with a username and a password.' } });
      }
      const signedIn = await services.authenticator.signIn(body.username, body.password);
      const maxAge = Math.max(1, Math.floor((signedIn.expiresAt.getTime() - Date.now()) / 1000));
      services.logger.info({ event: 'user_signed_in', user: signedIn.viewer.username }, 'signed in');
      return sendJson(res, 200, {
        user: { username: signedIn.viewer.username, displayName: signedIn.viewer.displayName, role: signedIn.viewer.role },
        csrfToken: signedIn.csrfToken,
        expiresAt: signedIn.expiresAt.toISOString(),
      }, { 'set-cookie': cookies(signedIn.sessionToken, signedIn.csrfToken, maxAge, secureCookies) });
    }
    const viewer = await services.authenticator.authenticate({
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
      csrfToken: req.headers[csrfHeaderName] as string | undefined,
      csrfExempt: req.method === 'GET',
    });
    if (req.method === 'GET') {
      if (!viewer || viewer.kind !== 'user') return sendJson(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'Not signed in.' } });
      return sendJson(res, 200, { user: { username: viewer.username, displayName: viewer.displayName, role: viewer.role } });
    }
    if (req.method === 'DELETE') {
      if (viewer?.kind === 'user' && viewer.sessionId) await services.authenticator.signOut(viewer.sessionId);
      return sendJson(res, 200, { signedOut: true }, { 'set-cookie': cookies('', '', 0, secureCookies) });
    }
    return sendJson(res, 405, { error: { code: 'BAD_REQUEST', message: 'Use POST to sign in, DELETE to sign out.' } }, { allow: 'GET, POST, DELETE' });
  } catch (error) {
    const appError = findAppError(error);
    if (!appError) throw error;
    const status = appError.code === 'UNAUTHENTICATED' ? 401 : appError.code === 'FORBIDDEN' ? 403 : 400;
    return sendJson(res, status, { error: { code: appError.code, message: appError.message } });
  }
}
