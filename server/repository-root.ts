import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `from` that holds a package.json. */
function packageRootOf(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * The checkout's root (web/dist, prisma/, runtime-agent/, .git). Found by
 * walking up rather than a fixed `../..`: this module runs from server/
 * (tsx, vitest) and, compiled, from dist/server/ (`npm start`), and dist/
 * holds no package.json.
 */
export const repositoryRoot = packageRootOf(path.dirname(fileURLToPath(import.meta.url)));
