import { randomBytes } from 'node:crypto';
import { cloneDatabase, type ClonedDatabase } from '../../test/support/template-database.ts';

/** The environment variable through which global setup hands the template's name to the workers. */
export const templateEnv = 'UCP_E2E_TEMPLATE';

export const e2eClonePrefix = (template: string) => `${template.replace('_tpl_', '_t_')}_`;

export type E2eDatabase = ClonedDatabase;

/** A fresh clone of the seeded template, isolated per test. */
export async function cloneTemplateDatabase(): Promise<E2eDatabase> {
  const template = process.env[templateEnv];
  if (!template) throw new Error(`${templateEnv} is not set: run the suite through playwright.config.ts (its global setup builds the template).`);
  return cloneDatabase(template, `${e2eClonePrefix(template)}${randomBytes(4).toString('hex')}`);
}
