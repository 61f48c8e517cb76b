import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { schemaSDL, subgraphSDL } from '../schema/index.ts';
import { schemaFile, subgraphSchemaFile } from '../schema/schema-file.ts';

describe('schema.graphql', () => {
  it('is in step with the code (run `npm run schema:print` after changing the schema)', async () => {
    const committed = await readFile(schemaFile, 'utf8');
    expect(committed).toBe(schemaSDL());
  });

  it('has none of federation\'s fields: the standalone graph stays as the console and the agent know it', () => {
    expect(schemaSDL()).not.toMatch(/_service|_entities|_Any|@key|@link/);
  });
});

describe('schema.subgraph.graphql', () => {
  it('is in step with the code (run `npm run schema:print` after changing the schema)', async () => {
    const committed = await readFile(subgraphSchemaFile, 'utf8');
    expect(committed).toBe(subgraphSDL());
  });
});
