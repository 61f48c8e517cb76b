import { describe, expect, it } from 'vitest';
import { checkImports, describeViolations, importGraph, importsOf, type ImportRule } from './support/import-graph.ts';

// The shared contract (contract/) is what server, console and runtime agent
// agree on, so it must depend on none of them; the console and the agent may
// reach the server only through it (and over the wire). Tests are exempt where
// they have to be: the contract's own tests compare it with the server's
// generated enums, and the agent's tests start a real server through test/support.

const isTest = (file: string) => /\.test\.tsx?$/.test(file) || file.startsWith('runtime-agent/test/');
const under = (folder: string) => (file: string | null) => file !== null && file.startsWith(`${folder}/`);
const isPackage = (target: string | null) => target === null;
const CONTRACT_PACKAGES = ['zod', '@bufbuild/cel'];
const contractPackage = (specifier: string) => CONTRACT_PACKAGES.some((name) => specifier === name || specifier.startsWith(`${name}/`));

export const contractRules: ImportRule[] = [
  {
    name: 'contract/ imports only itself, zod and @bufbuild/cel',
    appliesTo: (file) => under('contract')(file) && !isTest(file),
    allows: ({ specifier, target }) => (isPackage(target) ? contractPackage(specifier) : under('contract')(target)),
  },
  {
    name: 'web/ imports only itself, contract/ and packages',
    appliesTo: under('web'),
    allows: ({ target }) => isPackage(target) || under('web')(target) || under('contract')(target),
  },
  {
    name: 'runtime-agent/ imports only itself, contract/ and packages',
    appliesTo: (file) => under('runtime-agent')(file) && !isTest(file),
    allows: ({ target }) => isPackage(target) || under('runtime-agent')(target) || under('contract')(target),
  },
  {
    name: 'runtime-agent tests may add the server and test/support, never schema/, web/ or app/',
    appliesTo: (file) => under('runtime-agent')(file) && isTest(file),
    allows: ({ target }) => !under('schema')(target) && !under('web')(target) && !under('app')(target),
  },
];

describe('contract imports', () => {
  const edges = importGraph('contract', 'web', 'runtime-agent');

  it('finds the imports it checks (the scanner is not blind)', () => {
    expect(edges.some((e) => e.from === 'contract/index.ts' && e.target === 'contract/protocol.ts')).toBe(true);
    expect(edges.some((e) => e.from.startsWith('web/') && under('contract')(e.target))).toBe(true);
    expect(edges.some((e) => e.from.startsWith('runtime-agent/src/') && under('contract')(e.target))).toBe(true);
    expect(edges.some((e) => e.from.startsWith('runtime-agent/test/') && under('test/support')(e.target))).toBe(true);
  });

  it('the contract, the console and the agent cross only the seams they may', () => {
    const violations = checkImports(edges, contractRules);
    expect(violations, describeViolations(violations)).toEqual([]);
  });

  it('refuses the imports these seams forbid', () => {
    const probe = (from: string, text: string) => checkImports(importsOf(from, text), contractRules).map((v) => v.rule);
    const [contract, web, agent, agentTest] = contractRules.map((rule) => rule.name);
    expect(probe('contract/catalog.ts', "import type { Db } from '../server/db/transaction.ts';")).toEqual([contract]);
    expect(probe('contract/validation/decode-value.ts', "import pg from 'pg';")).toEqual([contract]);
    expect(probe('contract/protocol.ts', "export * from '../runtime-agent/src/index.ts';")).toEqual([contract]);
    expect(probe('web/src/main.tsx', "import { x } from '../../server/auth/viewer.ts';")).toEqual([web]);
    expect(probe('web/src/lib/catalog-shape.ts', "const m = await import('../../../schema/index.ts');")).toEqual([web]);
    expect(probe('web/src/lib/catalog-shape.ts', "import { y } from '../../../runtime-agent/src/index.ts';")).toEqual([web]);
    expect(probe('web/src/lib/catalog-shape.ts', "import { y } from '../../../app/create-app.ts';")).toEqual([web]);
    expect(probe('runtime-agent/src/reporter.ts', "import { z } from '../../server/errors/index.ts';")).toEqual([agent]);
    expect(probe('runtime-agent/paper-worker/main.ts', "import { w } from '../../web/src/main.tsx';")).toEqual([agent]);
    expect(probe('runtime-agent/test/status.test.ts', "import { s } from '../../schema/index.ts';")).toEqual([agentTest]);
    // Allowed: the contract's own files and packages, a relative file of the same
    // area, the agent's tests starting a real server, a comment that only looks like an import.
    expect(probe('contract/validation/value-schema.ts', "import { z } from 'zod'; import { strings } from '@bufbuild/cel/ext'; import { b } from '../catalog.ts';")).toEqual([]);
    expect(probe('web/src/main.tsx', "import React from 'react'; import { c } from '../../contract/index.ts';\n// from '../../server/x.ts'")).toEqual([]);
    expect(probe('runtime-agent/src/reporter.ts', "import { c } from '../../contract/protocol.ts'; import WebSocket from 'ws';")).toEqual([]);
    expect(probe('runtime-agent/test/paper-worker.test.ts', "import { s } from '../../test/support/start-test-app.ts'; import { t } from '../../server/auth/secret-token.ts';")).toEqual([]);
  });
});
