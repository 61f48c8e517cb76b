import type { PrismaClient } from './generated/prisma/client.ts';
import type { PasswordHasher } from './auth/password-hasher.ts';
import type { CatalogCache } from './features/catalog/catalog-snapshot.ts';
import type { ConfigWriter } from './features/configuration/config-writer.ts';
import type { Logger } from './logging/create-logger.ts';
import type { Metrics } from './metrics/create-metrics.ts';
import type { AppPubSub } from './realtime/pubsub.ts';
import type { ConfigValidator } from '../contract/validation/index.ts';

/** What every feature service may depend on; built once in services.ts. */
export interface CoreDeps {
  prisma: PrismaClient;
  logger: Logger;
  metrics: Metrics;
  pubsub: AppPubSub;
  hasher: PasswordHasher;
  catalogCache: CatalogCache;
  validator: ConfigValidator;
  writer: ConfigWriter;
}
