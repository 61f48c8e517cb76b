import type { PrismaClient } from './generated/prisma/client.ts';
import type { SqlClient } from './db/sql-client.ts';
import { createAuthenticator, createSignInThrottle, type CredentialChange, type PasswordHasher, type SignInThrottleOptions, type VerifiedSessions, type VerifiedTokens } from './auth/index.ts';
import { createChangeRequestService } from './features/approvals/index.ts';
import { createCatalogAdminService, type CatalogCache } from './features/catalog/index.ts';
import { createConfigService, createConfigWriter, readSnapshot, type SnapshotCache } from './features/configuration/index.ts';
import type { Logger } from './logging/create-logger.ts';
import type { Metrics } from './metrics/create-metrics.ts';
import { createConfigValidator, type JsonLimits } from '../contract/validation/index.ts';
import { createRuleService } from './features/rules/index.ts';
import { assertNotFrozen, createFreezeWindowService, frozenError } from './features/freeze/index.ts';
import { createParameterSetService, createRunEpochService, createRunService, createSessionService } from './features/parameter-sets/index.ts';
import { createApplyReportWriter, createWorkerService } from './features/workers/index.ts';
import { createAccessService, createSignInLockoutRecorder } from './features/access/index.ts';

export interface ServiceDeps {
  prisma: PrismaClient;
  /** Plain SQL on the same database, for the hot statements (server/db/sql-client.ts). */
  sql: SqlClient;
  logger: Logger;
  metrics: Metrics;
  hasher: PasswordHasher;
  /** The process's one catalog cache, shared with the read side (invalidated on catalog NOTIFY). */
  catalogCache: CatalogCache;
  /** The process's version snapshots (the reads share it). */
  snapshotCache?: SnapshotCache;
  sessionTtlMs?: number;
  /** How large a value (characters) and a JSON input (run metadata, factors, code version) may be. */
  limits?: InputLimits;
  /** Told after rerunRun queued a backtest (the composition root wakes the backtest executor). */
  onBacktestQueued?: () => void;
  /** Sign-in throttling's limits and clock (tests shorten and move them). */
  signInThrottle?: SignInThrottleOptions;
  /** Service tokens verified moments ago (server/auth/verified-tokens.ts); fed credential changes by the caller. */
  verifiedTokens?: VerifiedTokens;
  /** Console sessions read moments ago (server/auth/verified-sessions.ts); fed credential changes by the caller. */
  verifiedSessions?: VerifiedSessions;
}

/**
 * The composition root of the domain: every service gets its dependencies
 * here and nowhere else (no module-level singletons).
 */
export function createServices({ prisma, sql, logger, metrics, hasher, catalogCache, snapshotCache, sessionTtlMs, signInThrottle, verifiedTokens, verifiedSessions, limits = {}, onBacktestQueued }: ServiceDeps) {
  const validator = createConfigValidator({ maxValueLength: limits.maxValueLength });
  // The one write path every change goes through (edit, restore, promote, approve).
  const writer = createConfigWriter({ prisma, sql, catalog: catalogCache, validator, assertNotFrozen, frozenError, snapshots: snapshotCache });
  const parameterSets = createParameterSetService({ prisma, catalog: catalogCache, validator, logger, jsonLimits: limits.json });
  const runs = createRunService({ prisma, catalog: catalogCache, logger, jsonLimits: limits.json, onBacktestQueued });
  const runEpochs = createRunEpochService({ prisma, logger });
  return {
    authenticator: createAuthenticator({
      prisma, sql, hasher, sessionTtlMs, verifiedTokens, verifiedSessions,
      throttle: createSignInThrottle({ prisma, ...signInThrottle, onLockout: createSignInLockoutRecorder({ prisma, logger }) }),
    }),
    config: createConfigService({ prisma, writer, logger, metrics }),
    changeRequests: createChangeRequestService({ prisma, writer, logger, metrics }),
    catalogAdmin: createCatalogAdminService({ prisma, logger, catalogCache, validator, readSnapshot }),
    rules: createRuleService({ prisma, logger, catalogCache, validator }),
    freezeWindows: createFreezeWindowService({ prisma, logger }),
    parameterSets,
    runs,
    runEpochs,
    sessions: createSessionService({ prisma, parameterSets, runs, runEpochs }),
    workers: createWorkerService({
      prisma, sql, catalog: catalogCache, logger, metrics,
      applyReports: createApplyReportWriter({ sql, logger, metrics }),
    }),
    access: forgetCredentialsOnChange(createAccessService({ prisma, hasher, logger }), verifiedTokens, verifiedSessions),
  };
}

/**
 * A token this process revokes, or a user it disables, demotes or gives a new
 * password, is forgotten by the verified-token and verified-session caches as
 * soon as the change returns, not a notification's delay later: the caller's
 * next request is refused (or runs with the new role) even on this replica's
 * fastest path.
 */
function forgetCredentialsOnChange<A extends {
  revokeServiceToken(...args: never[]): Promise<unknown>;
  replaceSystemToken(...args: never[]): Promise<unknown>;
  updateUser(...args: never[]): Promise<unknown>;
  setPassword(...args: never[]): Promise<unknown>;
}>(access: A, verifiedTokens: VerifiedTokens | undefined, verifiedSessions: VerifiedSessions | undefined): A {
  const forgetting = <F extends (...args: never[]) => Promise<unknown>>(run: F, cache: { forget(change: CredentialChange): void } | undefined): F => (!cache ? run : (async (...args: Parameters<F>) => {
    try {
      return await run(...args);
    } finally {
      cache.forget({ kind: 'all', id: '' });
    }
  }) as F);
  return {
    ...access,
    revokeServiceToken: forgetting(access.revokeServiceToken, verifiedTokens),
    replaceSystemToken: forgetting(access.replaceSystemToken, verifiedTokens),
    updateUser: forgetting(access.updateUser, verifiedSessions),
    setPassword: forgetting(access.setPassword, verifiedSessions),
  };
}

export type Services = ReturnType<typeof createServices>;

/** The settings MAX_VALUE_LENGTH, MAX_JSON_BYTES and MAX_JSON_DEPTH; each defaults in contract/validation. */
export interface InputLimits {
  /** The global ceiling on a value's length (a catalog entry's maxLength overrides it). */
  maxValueLength?: number;
  json?: JsonLimits;
}
