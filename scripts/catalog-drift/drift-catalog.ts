import pg from 'pg';
import { basePipelineCatalog } from '../../prisma/seed/base-pipeline-catalog.ts';
import { trainingHyperparameterCatalog } from '../../prisma/seed/training-hyperparameter-catalog.ts';

/** What the drift check needs of a catalog entry. */
export interface DriftCatalogEntry {
  name: string;
  group: string;
  deprecated: boolean;
  /** The code outside the scanned sources that reads it; null: the scanned code must. */
  consumedOutside: string | null;
}

export interface DriftCatalog {
  /** Where it was read from, for the report: `seed` or the database's host and name (never its password). */
  source: string;
  entries: DriftCatalogEntry[];
}

/** The catalog a first start seeds (prisma/seed): what CI checks the code against. */
export function seededCatalog(): DriftCatalog {
  const entries = [...basePipelineCatalog(), ...trainingHyperparameterCatalog()].map((e) => ({
    name: e.name, group: e.groupName, deprecated: e.deprecated ?? false, consumedOutside: e.consumedOutside ?? null,
  }));
  return { source: 'seed', entries };
}

/** The catalog of a running platform's database (read-only: one SELECT). */
export async function databaseCatalog(connectionString: string): Promise<DriftCatalog> {
  const client = new pg.Client({ connectionString, application_name: 'ucp-catalog-drift' });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; group_name: string; deprecated: boolean; consumed_outside: string | null }>(
      'SELECT name, group_name, deprecated, consumed_outside FROM variable_catalog ORDER BY name');
    const url = new URL(connectionString);
    return {
      source: `database ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`,
      entries: rows.map((r) => ({ name: r.name, group: r.group_name, deprecated: r.deprecated, consumedOutside: r.consumed_outside })),
    };
  } finally {
    await client.end();
  }
}
