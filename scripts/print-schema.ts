// Writes schema.graphql, the committed contract that codegen reads, and
// schema.subgraph.graphql, the federation subgraph's; a test keeps each in
// step with the code.
import { writeFile } from 'node:fs/promises';
import { schemaSDL, subgraphSDL } from '../schema/index.ts';
import { schemaFile, subgraphSchemaFile } from '../schema/schema-file.ts';

await writeFile(schemaFile, schemaSDL());
console.log(`wrote ${schemaFile}`);
await writeFile(subgraphSchemaFile, subgraphSDL());
console.log(`wrote ${subgraphSchemaFile}`);
