import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkImports, describeViolations, importGraph, importsOf, repoRoot, sourceFiles, type ImportRule } from './support/import-graph.ts';

// The seams of the house (README, "Architecture"): what may import what.
// Tests are exempt: they reach into internals on purpose.

const isTest = (file: string) => /\.test\.tsx?$/.test(file) || file.startsWith('test/');
const under = (folder: string) => (file: string | null) => file !== null && file.startsWith(`${folder}/`);
const sliceOf = (file: string) => /^server\/features\/([^/]+)\//.exec(file)?.[1];
const isFace = (file: string) => /^server\/features\/[^/]+\/index\.ts$/.test(file);

export const seamRules: ImportRule[] = [
  {
    name: 'schema/ reaches the server only through faces, the errors face, the context type and generated types',
    appliesTo: (file) => under('schema')(file) && !isTest(file),
    allows: ({ target }) =>
      target === null ||
      under('schema')(target) ||
      under('contract')(target) ||
      under('server/generated')(target) ||
      isFace(target) ||
      target === 'server/errors/index.ts' ||
      target === 'server/graphql-context.ts',
  },
  {
    name: 'server/ never imports schema/ or app/ (app/ composes them)',
    appliesTo: (file) => under('server')(file) && !isTest(file),
    allows: ({ target }) => !under('schema')(target) && !under('app')(target),
  },
  {
    name: 'a slice is entered through its index.ts',
    appliesTo: (file) => (under('server')(file) || under('app')(file) || under('schema')(file)) && !isTest(file),
    allows: ({ from, target }) => {
      const slice = target === null ? undefined : sliceOf(target);
      return slice === undefined || isFace(target!) || sliceOf(from) === slice;
    },
  },
];

/** Slice → the slices it imports (through their faces), from the import edges. */
export function sliceGraph(edges: { from: string; target: string | null }[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, target } of edges) {
    const a = sliceOf(from);
    const b = target === null ? undefined : sliceOf(target);
    if (!a || !b || a === b || isTest(from)) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

/** One cycle among the slices, as `a → b → a`, or null when they form a DAG. */
export function findCycle(graph: Map<string, Set<string>>): string | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node].join(' → ');
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe('architecture seams', () => {
  const edges = importGraph('app', 'schema', 'server');

  it('finds the imports it checks (the scanner is not blind)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((e) => e.from === 'app/create-app.ts' && e.target === 'schema/index.ts')).toBe(true);
  });

  it('every import crosses a seam only where the architecture allows it', () => {
    const violations = checkImports(edges, seamRules);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it('refuses the imports the seams forbid', () => {
    const probe = (from: string, text: string) => checkImports(importsOf(from, text), seamRules).map((v) => v.rule);
    expect(probe('schema/configuration.ts', "import { readVersionEvents } from '../server/realtime/listen-bridge.ts';")).toEqual([seamRules[0]!.name]);
    expect(probe('schema/workers.ts', "import type { Db } from '../server/db/transaction.ts';")).toEqual([seamRules[0]!.name]);
    expect(probe('server/http/create-yoga.ts', "import { buildSchema } from '../../schema/index.ts';")).toEqual([seamRules[1]!.name]);
    expect(probe('server/features/rules/rule-service.ts', "import { lockEnvironment } from '../configuration/lock-environment.ts';")).toEqual([seamRules[2]!.name]);
    expect(probe('server/features/rules/rule-service.ts', "export * from '../configuration/config-writer.ts';")).toEqual([seamRules[2]!.name]);
    expect(probe('server/features/rules/rule-service.ts', "const m = await import('../workers/worker-service.ts');")).toEqual([seamRules[2]!.name]);
    // Allowed: a face, the own slice, a package, a comment that only looks like an import.
    expect(probe('schema/workers.ts', "import { x } from '../server/features/workers/index.ts';\n// from '../server/db/x.ts'")).toEqual([]);
    expect(probe('server/features/rules/rule-service.ts', "import { y } from './rule-reads.ts'; import z from 'zod';")).toEqual([]);
  });

  it('slices depend on each other without cycles (a cycle is injected by the composition root instead)', () => {
    expect(findCycle(sliceGraph(edges))).toBeNull();
    const broken = sliceGraph([
      ...edges,
      { from: 'server/features/configuration/config-writer.ts', target: 'server/features/freeze/index.ts' },
      { from: 'server/features/freeze/freeze-window-service.ts', target: 'server/features/configuration/index.ts' },
    ]);
    expect(findCycle(broken)).toMatch(/configuration → freeze → configuration|freeze → configuration → freeze/);
  });

  it('resolvers read through read models: no schema module but the builder touches the Prisma client', () => {
    const offenders = sourceFiles('schema')
      .filter((file) => file !== 'schema/builder.ts')
      .filter((file) => /\b(reads\.graph|services\.prisma|\.\$queryRaw|\.\$transaction)\b/.test(readFileSync(path.join(repoRoot, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
