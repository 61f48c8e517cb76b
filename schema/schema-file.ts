import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed SDL at the repository root. */
export const schemaFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../schema.graphql');
