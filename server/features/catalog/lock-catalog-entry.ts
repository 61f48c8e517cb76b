import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { Tx } from '../../db/transaction.ts';
import { notFound } from '../../errors/index.ts';

// The locks of a catalog change, taken in the order a config save takes its
// own (environments, then the entry), so the two never deadlock.

/**
 * Holds every environment row FOR SHARE until commit: a config save (FOR
 * UPDATE on its environment) waits for the catalog change and then validates
 * against it, and a save already under way commits first, so its value is
 * among those checked. No value slips in between the check and the new definition.
 */
export async function lockEnvironments(tx: Tx): Promise<void> {
  await tx.$queryRaw`SELECT name FROM environments ORDER BY name FOR SHARE`;
}

/** Row lock on one entry. NO KEY UPDATE, not UPDATE: config saves take KEY SHARE on it (foreign keys) and must not deadlock with us. */
export async function lockCatalogEntry(tx: Tx, name: string): Promise<CatalogEntry> {
  const rows = await tx.$queryRaw<{ name: string }[]>`SELECT name FROM variable_catalog WHERE name = ${name} FOR NO KEY UPDATE`;
  if (!rows[0]) throw notFound('Catalog entry', name);
  return tx.catalogEntry.findUniqueOrThrow({ where: { name } });
}
