import type { PasswordHasher } from '../auth/password-hasher.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logging/create-logger.ts';
import { initialPasswords } from './initial-passwords.ts';
import { seedDatabase } from './seed-database.ts';

export interface SeedOutcome {
  /** True when the database held data already (nothing was written). */
  alreadySeeded: boolean;
  /** Where the random first passwords went, if any were generated. */
  credentialsFile?: string;
}

/**
 * First start: seeds an empty database with the first passwords
 * (UCP_<USER>_PASSWORD, or random ones written to DATA_DIR). Run it as the
 * tables' owner: the application role may not create environments.
 */
export async function seedIfEmpty(prisma: PrismaClient, { dataDir, hasher, logger }: {
  dataDir: string;
  hasher: PasswordHasher;
  logger: Logger;
}): Promise<SeedOutcome> {
  if ((await prisma.environment.count()) > 0) return { alreadySeeded: true };
  const { passwords, file } = await initialPasswords(dataDir);
  await seedDatabase(prisma, { hasher, passwords });
  logger.info({ event: 'database_seeded' }, 'seeded environments, users, catalog and rules');
  return { alreadySeeded: false, credentialsFile: file };
}
