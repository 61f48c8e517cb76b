import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { databaseUrlFor, withAdminClient } from './postgres-admin.ts';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh clone of the migrated, seeded template: isolated per test file (or per test). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const pid = template.replace('ucp_tpl_', '');
  const name = `ucp_t_${pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => withAdminClient(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}
