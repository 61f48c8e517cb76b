import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The repository root (test/support/ is two levels down). */
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** One import statement of one source file. */
export interface ImportEdge {
  /** The importing file, relative to the repo root with forward slashes. */
  from: string;
  /** The module specifier as written. */
  specifier: string;
  /** The imported file relative to the repo root, or null for a package. */
  target: string | null;
}

const sourceFile = /\.(ts|tsx|mts)$/;

/** Every TypeScript file under `folder` (relative to the repo root), generated code and dependencies excluded. */
export function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!['node_modules', 'generated', 'dist', 'gql'].includes(entry.name)) walk(rel);
      } else if (sourceFile.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        out.push(rel);
      }
    }
  };
  walk(folder);
  return out.sort();
}

/**
 * The imports of a file's text, found by TypeScript's own pre-processor (so
 * `import type`, re-exports and dynamic `import()` all count, and comments or
 * strings that merely look like imports do not).
 */
export function importsOf(file: string, text = readFileSync(path.join(repoRoot, file), 'utf8')): ImportEdge[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map(({ fileName: specifier }) => ({
    from: file,
    specifier,
    target: specifier.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) : null,
  }));
}

/** Every import edge of every source file under the given folders. */
export function importGraph(...folders: string[]): ImportEdge[] {
  return folders.flatMap((folder) => sourceFiles(folder).flatMap((file) => importsOf(file)));
}

/** An edge a rule refuses, with the rule's reason. */
export interface ImportViolation extends ImportEdge {
  rule: string;
}

/** A named seam: which imports from which files it refuses. */
export interface ImportRule {
  name: string;
  /** Whether the rule governs edges leaving this file. */
  appliesTo(file: string): boolean;
  /** Whether an edge from a governed file is allowed. */
  allows(edge: ImportEdge): boolean;
}

export function checkImports(edges: ImportEdge[], rules: ImportRule[]): ImportViolation[] {
  return edges.flatMap((edge) =>
    rules.filter((rule) => rule.appliesTo(edge.from) && !rule.allows(edge)).map((rule) => ({ ...edge, rule: rule.name })),
  );
}

/** `from → target (rule)` lines, for an assertion message a reader can act on. */
export function describeViolations(violations: ImportViolation[]): string {
  return violations.map((v) => `${v.from} → ${v.target ?? v.specifier}  (${v.rule})`).join('\n');
}
