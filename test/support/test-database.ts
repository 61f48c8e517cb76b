import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { cloneDatabase, type ClonedDatabase } from './template-database.ts';

export type TestDatabase = ClonedDatabase;

/** A fresh clone of the migrated, seeded template: isolated per test file (or per test). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const pid = template.replace('ucp_tpl_', '');
  return cloneDatabase(template, `ucp_t_${pid}_${randomBytes(4).toString('hex')}`);
}
