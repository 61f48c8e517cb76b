import { parseCookie } from 'cookie';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { AppError, unauthenticated } from '../errors/app-error.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { generateSecret, hashSecret, safeEqual } from './secret-token.ts';
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
  hasher,
  sessionTtlMs = 12 * 60 * 60 * 1000,
}: {
  prisma: PrismaClient;
  hasher: PasswordHasher;
  sessionTtlMs?: number;
}) {
  // Verifying against a real hash when the user does not exist keeps the
  // response time from telling which usernames exist.
  const dummyHash = hasher.hash(generateSecret('dummy'));

  async function verifyPassword(username: string, password: string): Promise<Viewer & { kind: 'user' }> {
    const user = await prisma.user.findUnique({ where: { username } });
    const ok = await hasher.verify(user?.passwordHash ?? (await dummyHash), password);
    if (!user || !ok || user.disabled) throw unauthenticated('The user name or password is wrong.');
    return { kind: 'user', userId: user.id, username: user.username, displayName: user.displayName, role: user.role, via: 'basic' };
  }

  async function fromBearer(token: string): Promise<Viewer> {
    const found = await prisma.serviceToken.findUnique({
      where: { tokenHash: hashSecret(token) },
      include: { environment: { select: { name: true } } },
    });
    if (!found || found.revokedAt) throw unauthenticated('The service token is unknown or revoked.');
    return { kind: 'service', tokenId: found.id, name: found.name, environmentId: found.environmentId, environmentName: found.environment.name };
  }

  async function fromSession(sessionToken: string, source: CredentialSource): Promise<Viewer> {
    const session = await prisma.session.findUnique({ where: { tokenHash: hashSecret(sessionToken) }, include: { user: true } });
    if (!session || session.expiresAt <= new Date() || session.user.disabled) {
      throw unauthenticated('Your session has expired. Sign in again.');
    }
    if (!source.csrfExempt && !(source.csrfToken && safeEqual(source.csrfToken, session.csrfToken))) {
      throw new AppError('FORBIDDEN', 'The request is missing its CSRF token; reload the page and try again.');
    }
    const { user } = session;
    return { kind: 'user', userId: user.id, username: user.username, displayName: user.displayName, role: user.role, via: 'session', sessionId: session.id };
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
          return verifyPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
        }
        if (/^bearer$/i.test(scheme ?? '')) return fromBearer(value);
        throw unauthenticated(`The ${scheme} authorization scheme is not supported; use Basic or Bearer.`);
      }
      const sessionToken = source.cookie ? parseCookie(source.cookie)[sessionCookieName] : undefined;
      if (sessionToken) return fromSession(sessionToken, source);
      return null;
    },

    async signIn(username: string, password: string): Promise<SignedIn> {
      const viewer = await verifyPassword(username, password);
      const sessionToken = generateSecret('ucps');
      const csrfToken = generateSecret('csrf');
      const expiresAt = new Date(Date.now() + sessionTtlMs);
      const session = await prisma.session.create({
        data: { tokenHash: hashSecret(sessionToken), csrfToken, userId: viewer.userId, expiresAt },
      });
      return { sessionToken, csrfToken, expiresAt, viewer: { ...viewer, via: 'session', sessionId: session.id } };
    },

    /**
     * Which of these long-lived viewers (WebSocket connections) have lost
     * their credential since they connected: revoked tokens, disabled users,
     * ended sessions. Two queries whatever the number of sockets.
     */
    async revoked(viewers: Viewer[]): Promise<Set<Viewer>> {
      const tokenIds = [...new Set(viewers.flatMap((v) => (v.kind === 'service' ? [v.tokenId] : [])))];
      const userIds = [...new Set(viewers.flatMap((v) => (v.kind === 'user' ? [v.userId] : [])))];
      const sessionIds = [...new Set(viewers.flatMap((v) => (v.kind === 'user' && v.sessionId ? [v.sessionId] : [])))];
      const [liveTokens, liveUsers, liveSessions] = await Promise.all([
        tokenIds.length ? prisma.serviceToken.findMany({ where: { id: { in: tokenIds }, revokedAt: null }, select: { id: true } }) : [],
        userIds.length ? prisma.user.findMany({ where: { id: { in: userIds }, disabled: false }, select: { id: true } }) : [],
        sessionIds.length ? prisma.session.findMany({ where: { id: { in: sessionIds }, expiresAt: { gt: new Date() } }, select: { id: true } }) : [],
      ]);
      const tokens = new Set(liveTokens.map((t) => t.id));
      const users = new Set(liveUsers.map((u) => u.id));
      const sessions = new Set(liveSessions.map((x) => x.id));
      return new Set(viewers.filter((v) =>
        v.kind === 'service' ? !tokens.has(v.tokenId) : !users.has(v.userId) || (v.sessionId !== undefined && !sessions.has(v.sessionId))));
    },

    async signOut(sessionId: string): Promise<void> {
      await prisma.session.deleteMany({ where: { id: sessionId } });
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
