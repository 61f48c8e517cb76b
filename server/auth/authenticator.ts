import { parseCookie } from 'cookie';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '../generated/prisma/enums.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { AppError, unauthenticated } from '../errors/app-error.ts';
import { createCurrentViewer } from './current-viewer.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import { generateSecret, hashSecret, safeEqual } from './secret-token.ts';
import type { VerifiedSessions, VerifiedSession } from './verified-sessions.ts';
import type { VerifiedTokens } from './verified-tokens.ts';
import type { Viewer } from './viewer.ts';

export const sessionCookieName = 'ucp_session';
/** Readable by the console's script (double-submit): a cross-site page cannot read it. */
export const csrfCookieName = 'ucp_csrf';
export const csrfHeaderName = 'x-csrf-token';

export interface CredentialSource {
  authorization?: string | null;
  cookie?: string | null;
  csrfToken?: string | null;
  /** Safe methods (GET/HEAD) and WebSocket upgrades with a checked Origin need no CSRF token. */
  csrfExempt: boolean;
  /** The caller's address (server/http/client-address.ts): password sign-ins are throttled per address too. */
  clientAddress?: string | null;
}

export interface SignedIn {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  viewer: Viewer & { kind: 'user' };
}

/**
 * Turns credentials into a Viewer. The same three credentials work on every
 * transport: HTTP Basic (scripts), Bearer service tokens (workers, Grafana),
 * and the console's session cookie. Wrong credentials are an error, never a
 * silent downgrade to anonymous.
 */
export function createAuthenticator({
  prisma,
  sql,
  hasher,
  throttle,
  sessionTtlMs = 12 * 60 * 60 * 1000,
  verifiedTokens,
  verifiedSessions,
}: {
  prisma: PrismaClient;
  /** Plain SQL for the session lookup every console request makes. */
  sql: SqlClient;
  hasher: PasswordHasher;
  /** Every password check (sign-in and Basic on every transport) goes through it. */
  throttle: SignInThrottle;
  sessionTtlMs?: number;
  /** Tokens verified moments ago (verified-token-cache); without it every request reads the database. */
  verifiedTokens?: VerifiedTokens;
  /** Sessions read moments ago (verified-sessions.ts); without it every console request reads its session. */
  verifiedSessions?: VerifiedSessions;
}) {
  // Verifying against a real hash when the user does not exist keeps the
  // response time from telling which usernames exist.
  const dummyHash = hasher.hash(generateSecret('dummy'));

  async function verifyPassword(username: string, password: string, clientAddress: string | null | undefined): Promise<Viewer & { kind: 'user' }> {
    // PostgreSQL text cannot hold a NUL character: such a name names nobody
    // and must not reach a query (it would fail as a fault).
    if (username.includes('\u0000')) throw unauthenticated('The user name or password is wrong.');
    // A blocked account or address is refused before the password is looked at.
    const attempt = await throttle.check(username, clientAddress);
    const user = await prisma.user.findUnique({ where: { username } });
    const ok = await hasher.verify(user?.passwordHash ?? (await dummyHash), password);
    if (!user || !ok || user.disabled) {
      await throttle.failed(attempt, { userExists: user !== null });
      throw unauthenticated('The user name or password is wrong.');
    }
    await throttle.succeeded(attempt);
    return {
      kind: 'user', userId: user.id, username: user.username, displayName: user.displayName, role: user.role, via: 'basic',
      passwordVersion: user.passwordVersion,
    };
  }

  async function fromBearer(token: string): Promise<Viewer> {
    const hash = hashSecret(token);
    const known = verifiedTokens?.viewerOf(hash);
    if (known) return known;
    const epoch = verifiedTokens?.epoch() ?? 0;
    const viewer = await readBearer(hash);
    verifiedTokens?.remember(epoch, viewer.tokenId, hash, viewer);
    return viewer;
  }

  async function readBearer(tokenHash: string): Promise<Exclude<Viewer, { kind: 'user' }>> {
    const found = await prisma.serviceToken.findUnique({
      where: { tokenHash },
      include: { environment: { select: { name: true } } },
    });
    if (!found || found.revokedAt) throw unauthenticated('The service token is unknown or revoked.');
    // A token of no environment is read-only over all of them (viewer.ts).
    if (found.environmentId === null || !found.environment) return { kind: 'monitor', tokenId: found.id, name: found.name };
    return { kind: 'service', tokenId: found.id, name: found.name, environmentId: found.environmentId, environmentName: found.environment.name };
  }

  /** The session of a token hash: from memory when read moments ago, else one plain statement (and remembered). */
  async function sessionOf(hash: string): Promise<VerifiedSession | undefined> {
    const known = verifiedSessions?.sessionOf(hash);
    if (known) return known;
    const epoch = verifiedSessions?.epoch() ?? 0;
    const [row] = await sql.query<{ id: string; csrf_token: string; expires_ms: number; user_id: string; username: string; display_name: string; role: Role; disabled: boolean }>(
      `SELECT s.id::text AS id, s.csrf_token, (extract(epoch FROM s.expires_at) * 1000)::float8 AS expires_ms,
              u.id::text AS user_id, u.username, u.display_name, u.role::text AS role, u.disabled
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
      [hash],
    );
    // A disabled user's session is nobody's: not remembered, refused below.
    if (!row || row.disabled) return undefined;
    const session: VerifiedSession = {
      sessionId: row.id, csrfToken: row.csrf_token, expiresMs: row.expires_ms,
      userId: row.user_id, username: row.username, displayName: row.display_name, role: row.role,
    };
    verifiedSessions?.remember(epoch, hash, session);
    return session;
  }

  async function fromSession(sessionToken: string, source: CredentialSource): Promise<Viewer> {
    const session = await sessionOf(hashSecret(sessionToken));
    if (!session || session.expiresMs <= Date.now()) {
      throw unauthenticated('Your session has expired. Sign in again.');
    }
    if (!source.csrfExempt && !(source.csrfToken && safeEqual(source.csrfToken, session.csrfToken))) {
      throw new AppError('FORBIDDEN', 'The request is missing its CSRF token; reload the page and try again.');
    }
    return { kind: 'user', userId: session.userId, username: session.username, displayName: session.displayName, role: session.role, via: 'session', sessionId: session.sessionId };
  }

  return {
    async authenticate(source: CredentialSource): Promise<Viewer | null> {
      const authorization = source.authorization?.trim();
      if (authorization) {
        const [scheme, value = ''] = authorization.split(/\s+/, 2);
        if (/^basic$/i.test(scheme ?? '')) {
          const decoded = Buffer.from(value, 'base64').toString('utf8');
          const colon = decoded.indexOf(':');
          if (colon < 1) throw unauthenticated('The Basic credentials are malformed.');
          return verifyPassword(decoded.slice(0, colon), decoded.slice(colon + 1), source.clientAddress);
        }
        if (/^bearer$/i.test(scheme ?? '')) return fromBearer(value);
        throw unauthenticated(`The ${scheme} authorization scheme is not supported; use Basic or Bearer.`);
      }
      const sessionToken = source.cookie ? parseCookie(source.cookie)[sessionCookieName] : undefined;
      if (sessionToken) return fromSession(sessionToken, source);
      return null;
    },

    async signIn(username: string, password: string, clientAddress?: string | null): Promise<SignedIn> {
      const { passwordVersion: _checked, ...viewer } = await verifyPassword(username, password, clientAddress);
      const sessionToken = generateSecret('ucps');
      const csrfToken = generateSecret('csrf');
      const expiresAt = new Date(Date.now() + sessionTtlMs);
      const session = await prisma.session.create({
        data: { tokenHash: hashSecret(sessionToken), csrfToken, userId: viewer.userId, expiresAt },
      });
      return { sessionToken, csrfToken, expiresAt, viewer: { ...viewer, via: 'session', sessionId: session.id } };
    },

    /**
     * The viewer of a long-lived connection (a socket, a stream) as it stands
     * now: its current role, or the refusal (current-viewer.ts). Every
     * operation on a socket runs with what this returns.
     */
    current: createCurrentViewer({ prisma, verifiedTokens }),

    async signOut(sessionId: string): Promise<void> {
      try {
        await prisma.session.deleteMany({ where: { id: sessionId } });
      } finally {
        // This replica refuses the signed-out session at once, not a notification's delay later.
        verifiedSessions?.forget({ kind: 'session', id: sessionId });
      }
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
