import { createHash } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import { AppError } from '../errors/app-error.ts';

export interface SignInThrottleOptions {
  /** Failed sign-ins an account may have; each further one blocks it for twice as long. */
  accountFreeFailures?: number;
  /** The same for one client address, whatever accounts it tries (a password spray). */
  sourceFreeFailures?: number;
  /** The first block; each next one doubles it. */
  baseDelayMs?: number;
  /** No block is longer: an attack can slow an account down, never shut it for good. */
  maxDelayMs?: number;
  /** Failures this old are forgotten. */
  windowMs?: number;
  /** An address the account signed in from within this long is not held by the account's block. */
  knownSourceMs?: number;
  /** The clock (tests move it instead of waiting). */
  now?: () => Date;
}

/** A block that just started, for the audit trail (never a password; the account by name only when it exists). */
export interface SignInLockout {
  scope: 'account' | 'source';
  username: string | null;
  source: string | null;
  failures: number;
  blockedUntil: Date;
}

/** What `check` read, handed back to `failed` or `succeeded`. */
export interface SignInAttempt {
  readonly account: string;
  readonly source: string | null;
  readonly known: string | null;
  readonly username: string;
  readonly at: Date;
  readonly accountFailures: number;
  readonly knownSince: Date | null;
}

type Scope = 'account' | 'source' | 'known';

// The account is keyed by a hash of the name: people type passwords into the
// name field, and such a "name" must not be stored.
const accountKey = (username: string) => createHash('sha256').update(username.trim().toLowerCase()).digest('hex');
const refreshKnownAfterMs = 24 * 60 * 60 * 1000;

/**
 * Throttles password sign-ins (the session route and HTTP Basic on every
 * transport) per account and per client address with exponential backoff.
 * While blocked, an attempt is refused (RATE_LIMITED) without checking the
 * password and without counting, so hammering a blocked account does not
 * lengthen its block; blocks are capped at `maxDelayMs`, and an address the
 * account signed in from before is held only by its own address's block, so
 * an attacker elsewhere cannot keep an admin out.
 */
export function createSignInThrottle({
  prisma,
  onLockout,
  accountFreeFailures = 5,
  sourceFreeFailures = 20,
  baseDelayMs = 1_000,
  maxDelayMs = 15 * 60 * 1000,
  windowMs = 60 * 60 * 1000,
  knownSourceMs = 30 * 24 * 60 * 60 * 1000,
  now = () => new Date(),
}: SignInThrottleOptions & {
  prisma: PrismaClient;
  /** Called once per block that starts (audit it). */
  onLockout: (lockout: SignInLockout) => Promise<void>;
}) {
  const refused = (until: Date, at: Date) => {
    const retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000));
    return new AppError('RATE_LIMITED', `Too many failed sign-ins: try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  };

  /** Counts one failure of `scope` and starts a block past the free ones; returns the block, if any. */
  async function countFailure(scope: 'account' | 'source', subject: string, free: number, at: Date): Promise<{ failures: number; blockedUntil: Date | null }> {
    const windowStart = new Date(at.getTime() - windowMs);
    // Computed from the stored row under its lock (ON CONFLICT), so concurrent
    // failures all count. The count restarts once the last failure is older
    // than the window; the exponent is capped so the arithmetic never overflows.
    const n = Prisma.sql`(CASE WHEN t.last_at < ${windowStart} THEN 1 ELSE t.failures + 1 END)`;
    const blockAfter = (count: Prisma.Sql) => Prisma.sql`CASE WHEN ${count} > ${free}::int THEN ${at}::timestamptz
      + LEAST(${baseDelayMs}::float8 * power(2, LEAST(${count} - ${free}::int - 1, 40)), ${maxDelayMs}::float8) * interval '1 millisecond' END`;
    const rows = await prisma.$queryRaw<{ failures: number; blocked_until: Date | null }[]>`
      INSERT INTO sign_in_throttles AS t (scope, subject, failures, blocked_until, last_at)
      VALUES (${scope}, ${subject}, 1, ${blockAfter(Prisma.sql`1`)}, ${at})
      ON CONFLICT (scope, subject) DO UPDATE SET failures = ${n}, blocked_until = ${blockAfter(n)}, last_at = ${at}
      RETURNING failures, blocked_until`;
    const row = rows[0]!;
    return { failures: row.failures, blockedUntil: row.blocked_until };
  }

  async function prune(at: Date): Promise<void> {
    await prisma.signInThrottle.deleteMany({
      where: {
        OR: [
          { scope: { in: ['account', 'source'] }, lastAt: { lt: new Date(at.getTime() - windowMs) }, OR: [{ blockedUntil: null }, { blockedUntil: { lt: at } }] },
          { scope: 'known', lastAt: { lt: new Date(at.getTime() - knownSourceMs) } },
        ],
      },
    });
  }

  return {
    /** Refuses with RATE_LIMITED while the address, or the account from an address it does not know, is blocked. */
    async check(username: string, clientAddress: string | null | undefined): Promise<SignInAttempt> {
      const account = accountKey(username);
      // No address known (a route without one): only the account is counted,
      // never one shared "unknown" address that would hold everybody.
      const source = clientAddress || null;
      const known = source === null ? null : `${account}@${source}`;
      const rows = await prisma.signInThrottle.findMany({
        where: {
          OR: [
            { scope: 'account', subject: account },
            ...(source === null || known === null ? [] : [{ scope: 'source', subject: source }, { scope: 'known', subject: known }]),
          ],
        },
      });
      const row = (scope: Scope) => rows.find((r) => r.scope === scope);
      const at = now();
      const sourceBlock = row('source')?.blockedUntil;
      if (sourceBlock && sourceBlock > at) throw refused(sourceBlock, at);
      const knownSince = row('known')?.lastAt ?? null;
      const knownSource = knownSince !== null && at.getTime() - knownSince.getTime() < knownSourceMs;
      const accountBlock = row('account')?.blockedUntil;
      if (accountBlock && accountBlock > at && !knownSource) throw refused(accountBlock, at);
      return { account, source, known, username, at, accountFailures: row('account')?.failures ?? 0, knownSince };
    },

    async failed(attempt: SignInAttempt, { userExists }: { userExists: boolean }): Promise<void> {
      const at = now();
      const [account, source] = await Promise.all([
        countFailure('account', attempt.account, accountFreeFailures, at),
        attempt.source === null ? { failures: 0, blockedUntil: null } : countFailure('source', attempt.source, sourceFreeFailures, at),
      ]);
      const started = [
        ...(account.blockedUntil ? [{ scope: 'account' as const, ...account }] : []),
        ...(source.blockedUntil ? [{ scope: 'source' as const, ...source }] : []),
      ];
      for (const block of started) {
        await onLockout({
          scope: block.scope,
          username: userExists ? attempt.username : null,
          source: attempt.source,
          failures: block.failures,
          blockedUntil: block.blockedUntil!,
        });
      }
      if (started.length) await prune(at);
    },

    /** Clears the account's failures and remembers the address; writes nothing when there is nothing new. */
    async succeeded(attempt: SignInAttempt): Promise<void> {
      const at = now();
      const writes: Promise<unknown>[] = [];
      if (attempt.accountFailures > 0) {
        writes.push(prisma.signInThrottle.updateMany({ where: { scope: 'account', subject: attempt.account }, data: { failures: 0, blockedUntil: null } }));
      }
      const { known } = attempt;
      if (known !== null && (!attempt.knownSince || at.getTime() - attempt.knownSince.getTime() > refreshKnownAfterMs)) {
        writes.push(prisma.signInThrottle.upsert({
          where: { scope_subject: { scope: 'known', subject: known } },
          create: { scope: 'known', subject: known, lastAt: at },
          update: { lastAt: at },
        }));
      }
      await Promise.all(writes);
    },
  };
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
