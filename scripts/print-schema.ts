// Writes schema.graphql, the committed contract that codegen reads and a test
// keeps in step with the code.
import { writeFile } from 'node:fs/promises';
import { schemaSDL } from '../schema/index.ts';
import { schemaFile } from '../schema/schema-file.ts';

await writeFile(schemaFile, schemaSDL());
console.log(`wrote ${schemaFile}`);
