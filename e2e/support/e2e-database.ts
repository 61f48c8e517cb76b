import { randomBytes } from 'node:crypto';
import { databaseUrlFor, withAdminClient } from '../../test/support/postgres-admin.ts';

/** The environment variable through which global setup hands the template's name to the workers. */
export const templateEnv = 'UCP_E2E_TEMPLATE';

export const e2eClonePrefix = (template: string) => `${template.replace('_tpl_', '_t_')}_`;

export interface E2eDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh clone of the seeded template (CREATE DATABASE … TEMPLATE): a fraction of a second, isolated per test. */
export async function cloneTemplateDatabase(): Promise<E2eDatabase> {
  const template = process.env[templateEnv];
  if (!template) throw new Error(`${templateEnv} is not set: run the suite through playwright.config.ts (its global setup builds the template).`);
  const name = `${e2eClonePrefix(template)}${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrlFor(name),
    drop: () => withAdminClient(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }),
  };
}
