import { createSeededTemplate, dropTemplateAndClones } from '../../test/support/template-database.ts';
import { e2eClonePrefix, templateEnv } from './e2e-database.ts';

/**
 * One migrated, seeded template per run (the API tests' recipe); every test
 * clones it. Workers inherit the template's name through the environment.
 */
export default async function globalSetup() {
  const template = `ucp_e2e_tpl_${process.pid}`;
  await createSeededTemplate(template);
  process.env[templateEnv] = template;
  return () => dropTemplateAndClones(template, e2eClonePrefix(template));
}
