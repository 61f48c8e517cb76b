import type { PrismaClient, Role, ServiceToken, User } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { generateSecret, hashSecret, requireRole, type PasswordHasher, type Viewer } from '../../auth/index.ts';
import { inTransaction, type Tx } from '../../db/transaction.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { appendAudit } from '../audit/index.ts';
import { findEnvironment, type EnvironmentState } from '../configuration/index.ts';
import { createAccountConfirmation } from './account-confirmation.ts';
import { holdersAfterPasswordSetBy } from './account-independence.ts';

export interface CreateUserInput {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

export interface UpdateUserInput {
  id: string;
  role?: Role | null;
  displayName?: string | null;
  disabled?: boolean | null;
}

/** A token as issued: the secret (shown this once) and its stored row. */
export interface IssuedToken {
  token: string;
  serviceToken: ServiceToken;
}

export interface SetPasswordInput {
  /** Omitted: the caller's own password. */
  id?: string | null;
  currentPassword?: string | null;
  newPassword: string;
}

const usernamePattern = /^[a-z][a-z0-9._-]{2,31}$/;
const minPasswordLength = 12;
// Argon2 hashes whatever it is given: a cap keeps a megabyte "password" from costing a megabyte of hashing.
const maxPasswordLength = 1024;

function assertPassword(password: string, field = 'newPassword'): void {
  if (password.length < minPasswordLength) throw badRequest(`A password has at least ${minPasswordLength} characters.`, { field });
  if (password.length > maxPasswordLength) throw badRequest(`A password has at most ${maxPasswordLength} characters.`, { field });
}

function cleanDisplayName(displayName: string): string {
  const trimmed = displayName.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw badRequest('A display name has 1 to 100 characters.', { field: 'displayName' });
  return trimmed;
}

function tokenName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw badRequest('A token name has 1 to 100 characters.', { field: 'name' });
  return trimmed;
}

const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

/** Legacy actors (the legacy import's authors) are history, never accounts: a database constraint holds it too. */
function legacyActorRefusal(username: string): string {
  return `${username} is an author imported from the legacy tool: it can never sign in, so it has no password and stays disabled.`;
}

/**
 * Who may sign in and which machines may call: users with roles, and
 * service tokens scoped to one environment (or read-only over all of them).
 * Secrets never leave this module except once: a new token is returned to
 * whoever asked for it (an admin, or the platform for a process it starts).
 * Reads are in access-reads.ts. Audit rows and logs name users and tokens,
 * never a password, hash or token.
 */
export function createAccessService({ prisma, hasher, logger }: { prisma: PrismaClient; hasher: PasswordHasher; logger: Logger }) {
  async function findUser(id: string): Promise<User> {
    const user = isUuid(id) ? await prisma.user.findUnique({ where: { id } }) : null;
    if (!user) throw notFound('User', id);
    return user;
  }
  const confirmAccount = createAccountConfirmation({ prisma, logger });
  /** The acting admin's id and holders, read in the transaction: what it sets, it may act as. */
  const setterOf = (tx: Tx, userId: string) => tx.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, credentialHolders: true } });

  /**
   * A new live token of `environment` (null: a read-only token of every
   * environment), audited as created by `by.actor`.
   */
  async function issue(tx: Tx, environment: EnvironmentState | null, name: string, by: { id: string; actor: string }): Promise<IssuedToken> {
    // The audit trail names a token by name ("token:<name>"): two live
    // tokens with one name in one environment would be indistinguishable.
    const environmentId = environment?.id ?? null;
    const clash = await tx.serviceToken.findFirst({ where: { environmentId, name, revokedAt: null }, select: { id: true } });
    const scope = environment ? environment.name : 'The read-only tokens of every environment';
    if (clash) throw new AppError('CONFLICT', `${scope} already has a live token named ${name}: revoke it or pick another name.`, { name });
    const token = generateSecret('ucp');
    const serviceToken = await tx.serviceToken.create({
      data: { name, tokenHash: hashSecret(token), environmentId, createdById: by.id },
    });
    await appendAudit(tx, [{ action: 'service_token_created', actor: by.actor, environmentId, subjectId: serviceToken.id, details: { name, readOnly: environment === null } }]);
    return { token, serviceToken };
  }

  async function revoke(tx: Tx, token: ServiceToken, actor: string): Promise<ServiceToken> {
    const saved = await tx.serviceToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    await appendAudit(tx, [{ action: 'service_token_revoked', actor, environmentId: token.environmentId, subjectId: token.id, details: { name: token.name } }]);
    return saved;
  }

  const logIssued = (token: ServiceToken, environment: string, by: string) =>
    logger.info({ event: 'service_token_created', token_id: token.id, name: token.name, env: environment, created_by: by }, 'service token created');
  const logRevoked = (token: ServiceToken, by: string) =>
    logger.info({ event: 'service_token_revoked', token_id: token.id, name: token.name, revoked_by: by }, 'service token revoked');

  return {
    async createUser(viewer: Viewer, input: CreateUserInput): Promise<User> {
      const admin = requireRole(viewer, 'ADMIN', 'create users');
      const username = input.username.trim();
      if (!usernamePattern.test(username)) {
        throw badRequest('A user name starts with a lowercase letter and has 3 to 32 lowercase letters, digits, dots, dashes or underscores.', { field: 'username' });
      }
      const displayName = cleanDisplayName(input.displayName);
      assertPassword(input.password, 'password');
      const conflict = () => new AppError('CONFLICT', `A user named ${username} already exists.`, { username });
      if (await prisma.user.findUnique({ where: { username }, select: { id: true } })) throw conflict();
      const passwordHash = await hasher.hash(input.password);
      try {
        const user = await inTransaction(prisma, async (tx) => {
          const setter = await setterOf(tx, admin.userId);
          const created = await tx.user.create({
            data: { username, displayName, role: input.role, passwordHash, passwordSetById: admin.userId, credentialHolders: holdersAfterPasswordSetBy(null, setter) },
          });
          await appendAudit(tx, [{ action: 'user_created', actor: admin.username, subjectId: created.id, details: { username, displayName, role: input.role } }]);
          return created;
        });
        logger.info({ event: 'user_created', user: username, role: user.role, created_by: admin.username }, 'user created');
        return user;
      } catch (error) {
        // Two admins creating the same name at once: the unique index decides.
        if (isUniqueViolation(error)) throw conflict();
        throw error;
      }
    },

    async updateUser(viewer: Viewer, input: UpdateUserInput): Promise<User> {
      // The role it already has, and nothing else: a second person's confirmation (account-confirmation.ts).
      if (input.role != null && input.displayName == null && input.disabled == null) {
        const confirmed = await confirmAccount(viewer, { id: input.id, role: input.role });
        if (confirmed) return confirmed;
      }
      const admin = requireRole(viewer, 'ADMIN', 'change users');
      const user = await findUser(input.id);
      if (input.role == null && input.displayName == null && input.disabled == null) throw badRequest('Give a role, a display name or the disabled flag to change.');
      // The acting admin stays an enabled admin, so the platform always keeps one.
      if (user.id === admin.userId && ((input.role != null && input.role !== 'ADMIN') || input.disabled === true)) {
        throw forbidden('You cannot demote or disable yourself: ask another admin.');
      }
      const data: Partial<Pick<User, 'role' | 'displayName' | 'disabled'>> = {};
      if (input.role != null && input.role !== user.role) data.role = input.role;
      if (input.displayName != null) {
        const displayName = cleanDisplayName(input.displayName);
        if (displayName !== user.displayName) data.displayName = displayName;
      }
      if (input.disabled != null && input.disabled !== user.disabled) data.disabled = input.disabled;
      if (user.legacyActor && data.disabled === false) throw forbidden(legacyActorRefusal(user.username));
      if (Object.keys(data).length === 0) return user;
      const changes = Object.fromEntries(Object.entries(data).map(([field, after]) => [field, { before: user[field as keyof typeof data], after }]));
      const updated = await inTransaction(prisma, async (tx) => {
        const saved = await tx.user.update({ where: { id: user.id }, data });
        // A disabled user's sessions end now, not when they expire.
        if (data.disabled) await tx.session.deleteMany({ where: { userId: user.id } });
        await appendAudit(tx, [{ action: 'user_updated', actor: admin.username, subjectId: user.id, details: { username: user.username, changes } }]);
        return saved;
      });
      logger.info({ event: 'user_updated', user: user.username, fields: Object.keys(data), updated_by: admin.username }, 'user updated');
      return updated;
    },

    /**
     * Your own password needs the current one (a stolen session alone cannot
     * take the account over); an admin may set anyone else's. Every other
     * session of that user ends.
     */
    async setPassword(viewer: Viewer, input: SetPasswordInput): Promise<User> {
      if (viewer.kind !== 'user') throw forbidden('Service tokens have no password.');
      const targetId = input.id ?? viewer.userId;
      const own = targetId === viewer.userId;
      if (!own) requireRole(viewer, 'ADMIN', 'set another user\'s password');
      const user = await findUser(targetId);
      if (user.legacyActor) throw forbidden(legacyActorRefusal(user.username));
      assertPassword(input.newPassword);
      if (own) {
        if (!input.currentPassword || !(await hasher.verify(user.passwordHash, input.currentPassword))) {
          throw forbidden('The current password is wrong.');
        }
      }
      const passwordHash = await hasher.hash(input.newPassword);
      const updated = await inTransaction(prisma, async (tx) => {
        // Whoever sets someone else's password could act as them from now on (account-independence.ts).
        const credentials = own
          ? { passwordSetById: user.id }
          : { passwordSetById: viewer.userId, credentialHolders: holdersAfterPasswordSetBy(await tx.user.findUniqueOrThrow({ where: { id: user.id }, select: { credentialHolders: true } }), await setterOf(tx, viewer.userId)) };
        const saved = await tx.user.update({ where: { id: user.id }, data: { passwordHash, ...credentials } });
        await tx.session.deleteMany({ where: { userId: user.id, ...(own && viewer.sessionId ? { id: { not: viewer.sessionId } } : {}) } });
        await appendAudit(tx, [{ action: 'user_updated', actor: viewer.username, subjectId: user.id, details: { username: user.username, passwordChanged: true } }]);
        return saved;
      });
      logger.info({ event: 'user_password_changed', user: user.username, changed_by: viewer.username }, 'password changed');
      return updated;
    },

    /**
     * The token itself is returned here and never again: only its sha256 is
     * stored. Without an environment the token reads every environment and
     * can do nothing else (Grafana's datasource).
     */
    async createServiceToken(viewer: Viewer, input: { environment?: string | null; name: string }): Promise<IssuedToken> {
      const admin = requireRole(viewer, 'ADMIN', 'create service tokens');
      const name = tokenName(input.name);
      const issued = await inTransaction(prisma, async (tx) =>
        issue(tx, input.environment == null ? null : await findEnvironment(tx, input.environment), name, { id: admin.userId, actor: admin.username }));
      logIssued(issued.serviceToken, input.environment ?? '*', admin.username);
      return issued;
    },

    /** Takes effect on the next request: the authenticator refuses revoked tokens (UNAUTHENTICATED). */
    async revokeServiceToken(viewer: Viewer, id: string): Promise<ServiceToken> {
      const admin = requireRole(viewer, 'ADMIN', 'revoke service tokens');
      const revoked = await inTransaction(prisma, async (tx) => {
        const locked = isUuid(id) ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM service_tokens WHERE id = ${id}::uuid FOR UPDATE` : [];
        if (!locked[0]) throw notFound('Service token', id);
        const token = await tx.serviceToken.findUniqueOrThrow({ where: { id } });
        if (token.revokedAt) throw new AppError('CONFLICT', `Token ${token.name} was already revoked at ${token.revokedAt.toISOString()}.`, { revokedAt: token.revokedAt.toISOString() });
        return revoke(tx, token, admin.username);
      });
      logRevoked(revoked, admin.username);
      return revoked;
    },

    /**
     * The platform's own token for a process it starts (`npm start`'s
     * reference worker): revokes the live tokens of that name in the
     * environment and issues a fresh one, in one transaction, so no
     * long-lived secret outlives a restart. No operator acts: `actor` names
     * the system part in the audit trail, and the token is recorded as
     * created by the first admin (every token has a creator).
     */
    async replaceSystemToken({ environment, name, actor }: { environment: string; name: string; actor: `system:${string}` }): Promise<IssuedToken> {
      const clean = tokenName(name);
      const { issued, revoked } = await inTransaction(prisma, async (tx) => {
        const env = await findEnvironment(tx, environment);
        const admin = await tx.user.findFirstOrThrow({ where: { role: 'ADMIN' }, orderBy: { createdAt: 'asc' }, select: { id: true } });
        const stale = await tx.serviceToken.findMany({ where: { environmentId: env.id, name: clean, revokedAt: null } });
        const revoked: ServiceToken[] = [];
        for (const token of stale) revoked.push(await revoke(tx, token, actor));
        return { revoked, issued: await issue(tx, env, clean, { id: admin.id, actor }) };
      });
      for (const token of revoked) logRevoked(token, actor);
      logIssued(issued.serviceToken, environment, actor);
      return issued;
    },

    /** Revokes a token the platform issued itself (replaceSystemToken) once its job is done; a token already revoked stays so. */
    async revokeSystemToken({ id, actor }: { id: string; actor: `system:${string}` }): Promise<void> {
      const revoked = await inTransaction(prisma, async (tx) => {
        const token = isUuid(id) ? await tx.serviceToken.findUnique({ where: { id } }) : null;
        return token && !token.revokedAt ? revoke(tx, token, actor) : null;
      });
      if (revoked) logRevoked(revoked, actor);
    },
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
