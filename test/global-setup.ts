import type { TestProject } from 'vitest/node';
import { buildProduct } from './support/spawn-product.ts';
import { createSeededTemplate, dropTemplateAndClones } from './support/template-database.ts';

/** One migrated, seeded template per run; each test file clones it (support/test-database.ts). */
export default async function setup(project: TestProject) {
  // Once, before any test file spawns the product (they only check it is fresh).
  buildProduct();
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
