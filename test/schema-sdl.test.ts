import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { schemaSDL } from '../schema/index.ts';
import { schemaFile } from '../schema/schema-file.ts';

describe('schema.graphql', () => {
  it('is in step with the code (run `npm run schema:print` after changing the schema)', async () => {
    const committed = await readFile(schemaFile, 'utf8');
    expect(committed).toBe(schemaSDL());
  });
});
