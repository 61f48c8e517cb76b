import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The committed SDL at the repository root. */
export const schemaFile = path.join(root, 'schema.graphql');

/** The committed subgraph SDL (Apollo Federation v2) beside it. */
export const subgraphSchemaFile = path.join(root, 'schema.subgraph.graphql');
