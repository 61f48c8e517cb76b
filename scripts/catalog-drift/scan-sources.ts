import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ParameterReference, ScanOptions } from './parameter-reference.ts';
import { scanPython } from './scan-python.ts';
import { scanTypeScript } from './scan-typescript.ts';

export interface SourceScan {
  files: { typescript: number; python: number };
  references: ParameterReference[];
  dynamic: Omit<ParameterReference, 'name' | 'kind'>[];
}

const skipped = new Set(['node_modules', '.git', 'dist', 'build', '__pycache__', '.venv', 'venv', 'generated']);

async function sourceFiles(root: string, found: string[] = []): Promise<string[]> {
  const info = await stat(root);
  if (info.isFile()) return [...found, root];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory() && !skipped.has(entry.name)) await sourceFiles(full, found);
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

const isTypeScript = (file: string) => /\.(ts|tsx|mts|cts)$/.test(file) && !file.endsWith('.d.ts');
const isPython = (file: string) => file.endsWith('.py');

/** Every parameter reference under the given folders (or files), TypeScript and Python, in file order. */
export async function scanSources(roots: readonly string[], options: ScanOptions): Promise<SourceScan> {
  const files = [...new Set((await Promise.all(roots.map((root) => sourceFiles(root)))).flat())].sort();
  const typescript = files.filter(isTypeScript);
  const python = files.filter(isPython);
  const ts = typescript.length ? scanTypeScript(typescript, options) : { references: [], dynamic: [] };
  const py = await Promise.all(python.map(async (file) => scanPython(path.relative(process.cwd(), file), await readFile(file, 'utf8'), options)));
  return {
    files: { typescript: typescript.length, python: python.length },
    references: [...ts.references, ...py.flatMap((p) => p.references)],
    dynamic: [...ts.dynamic, ...py.flatMap((p) => p.dynamic)],
  };
}
