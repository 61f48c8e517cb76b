import type { TestProject } from 'vitest/node';
import { createSeededTemplate, dropTemplateAndClones } from './support/template-database.ts';

/** One migrated, seeded template per run; each test file clones it (support/test-database.ts). */
export default async function setup(project: TestProject) {
  const template = `ucp_tpl_${process.pid}`;
  await createSeededTemplate(template);
  project.provide('templateDatabase', template);
  return () => dropTemplateAndClones(template, `ucp_t_${process.pid}_`);
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
