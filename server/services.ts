import type { PrismaClient } from './generated/prisma/client.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import type { PasswordHasher } from './auth/password-hasher.ts';
import { createChangeRequestService } from './features/approvals/change-request-service.ts';
import { createCatalogCache } from './features/catalog/catalog-snapshot.ts';
import { createConfigService } from './features/configuration/config-service.ts';
import { createConfigWriter } from './features/configuration/config-writer.ts';
import type { Logger } from './logging/create-logger.ts';
import type { Metrics } from './metrics/create-metrics.ts';
import type { AppPubSub } from './realtime/pubsub.ts';
import { createConfigValidator } from '../contract/validation/index.ts';
import type { CoreDeps } from './core-deps.ts';
import { createCatalogAdminService } from './features/catalog/catalog-admin-service.ts';
import { createRuleService } from './features/rules/rule-service.ts';
import { createFreezeWindowService } from './features/freeze/freeze-window-service.ts';
import { createParameterSetService } from './features/parameter-sets/parameter-set-service.ts';
import { createRunService } from './features/parameter-sets/run-service.ts';
import { createWorkerService } from './features/workers/worker-service.ts';
import { createAccessService } from './features/access/access-service.ts';

export interface ServiceDeps {
  prisma: PrismaClient;
  logger: Logger;
  metrics: Metrics;
  pubsub: AppPubSub;
  hasher: PasswordHasher;
  sessionTtlMs?: number;
}

/**
 * The composition root of the domain: every service gets its dependencies
 * here and nowhere else (no module-level singletons).
 */
export function createServices(deps: ServiceDeps) {
  const { prisma, logger, metrics, pubsub, hasher } = deps;
  const catalogCache = createCatalogCache();
  const validator = createConfigValidator();
  const writer = createConfigWriter({ catalog: catalogCache, validator });
  const core: CoreDeps = { prisma, logger, metrics, pubsub, hasher, catalogCache, validator, writer };
  return {
    ...core,
    authenticator: createAuthenticator({ prisma, hasher, sessionTtlMs: deps.sessionTtlMs }),
    config: createConfigService({ prisma, writer, logger, metrics }),
    changeRequests: createChangeRequestService({ prisma, writer, logger, metrics }),
    catalogAdmin: createCatalogAdminService(core),
    rules: createRuleService(core),
    freezeWindows: createFreezeWindowService(core),
    parameterSets: createParameterSetService(core),
    runs: createRunService(core),
    workers: createWorkerService(core),
    access: createAccessService(core),
  };
}

export type Services = ReturnType<typeof createServices>;
