import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDrift, driftFails } from '../scripts/catalog-drift/compare-drift.ts';
import type { DriftCatalog } from '../scripts/catalog-drift/drift-catalog.ts';
import { defaultScanOptions } from '../scripts/catalog-drift/parameter-reference.ts';
import { scanSources } from '../scripts/catalog-drift/scan-sources.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

// The Need's second risk (§8): drift between the catalog and the code that
// consumes it, in both directions and both languages (issue 12).

const run = promisify(execFile);
const fixtures = 'test/fixtures/drift';

/** The CLI as CI runs it; resolves with its exit code and output (never throws on a non-zero exit). */
async function drift(args: string[], env: Record<string, string | undefined> = {}) {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  try {
    const { stdout } = await run('npx', ['tsx', 'scripts/catalog-drift.ts', ...args], { env: { ...inherited, ...env }, timeout: 120_000 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout + failed.stderr };
  }
}

const refs = async (dir: string, options = defaultScanOptions) =>
  (await scanSources([`${fixtures}/${dir}`], options)).references.map((r) => `${r.file.replace(`${fixtures}/`, '')}:${r.line} ${r.name} ${r.kind} ${r.via}`);

// The TypeScript compiler builds a program over the fixtures: seconds on a loaded machine.
describe('the drift scanner', { timeout: 120_000 }, () => {
  it('finds the `consumes` declarations through imports, and literal reads, in TypeScript', async () => {
    const scan = await scanSources([`${fixtures}/typescript`], defaultScanOptions);
    expect(await refs('typescript')).toEqual([
      // Each declared name where it is written, following `consumes: workerParameters` to its module and its spread.
      'typescript/worker-parameters.ts:2 CVN_ATR_PERIOD consumes consumes',
      'typescript/worker-parameters.ts:2 CVN_RSI_PERIOD consumes consumes',
      'typescript/worker-parameters.ts:4 CVN_FIXTURE_DECLARED_ONLY consumes consumes',
      'typescript/worker.ts:8 CVN_ATR_PERIOD read config.number',
      'typescript/worker.ts:9 CVN_FIXTURE_READ_UNKNOWN read config.get',
    ]);
    expect(scan.files).toEqual({ typescript: 2, python: 0 });
  });

  it('finds os.environ, os.getenv, os.environ.get and the named resolver in Python, not comments, docstrings or other names', async () => {
    expect(await refs('python')).toEqual([
      'python/harness.py:12 CVN_ATR_PERIOD environ os.environ[]',
      'python/harness.py:13 CVN_FIXTURE_GETENV environ os.getenv',
      'python/harness.py:14 CVN_FIXTURE_ENVIRON_GET environ os.environ.get',
      'python/harness.py:15 CVN_EMA_FAST_PERIOD environ environ.get',
      'python/harness.py:17 CVN_EMA_SLOW_PERIOD environ getenv',
      'python/harness.py:19 CVN_HPO_XGBOOST_5M_LEARNING_RATE resolver resolve_param',
      'python/harness.py:27 CVN_RSI_PERIOD environ os.environ[]',
    ]);
    // The resolver's name is configurable.
    expect(await refs('python', { ...defaultScanOptions, pythonResolvers: ['fetch_hp'] })).toContain('python/harness.py:20 CVN_FIXTURE_CUSTOM_RESOLVER resolver fetch_hp');
    const scan = await scanSources([`${fixtures}/python`], defaultScanOptions);
    expect(scan.dynamic).toEqual([expect.objectContaining({ line: 24, via: 'os.environ.get' })]);
  });

  it('fails in either direction against a catalog, and not for entries declared consumed outside', async () => {
    const scan = await scanSources([fixtures], defaultScanOptions);
    const entry = (name: string, consumedOutside: string | null = null, deprecated = false) => ({ name, group: 'Test', deprecated, consumedOutside });
    const found = [...new Set(scan.references.map((r) => r.name))].filter((n) => !n.startsWith('CVN_FIXTURE_'));
    const catalog: DriftCatalog = { source: 'test', entries: [...found.map((n) => entry(n)), entry('CVN_NOBODY_READS'), entry('CVN_HARNESS_ONLY', 'python-training-harness'), entry('CVN_RETIRED', null, true)] };
    const report = compareDrift(catalog, scan.references);
    expect(report.unknown.map((r) => `${r.file}:${r.line} ${r.name}`)).toEqual([
      `${fixtures}/typescript/worker-parameters.ts:4 CVN_FIXTURE_DECLARED_ONLY`,
      `${fixtures}/typescript/worker.ts:9 CVN_FIXTURE_READ_UNKNOWN`,
      `${fixtures}/python/harness.py:13 CVN_FIXTURE_GETENV`,
      `${fixtures}/python/harness.py:14 CVN_FIXTURE_ENVIRON_GET`,
    ]);
    expect(report.unconsumed.map((e) => e.name)).toEqual(['CVN_NOBODY_READS']);
    expect(driftFails(report)).toBe(true);
    expect(driftFails(compareDrift({ ...catalog, entries: catalog.entries.filter((e) => e.name !== 'CVN_NOBODY_READS') }, scan.references.filter((r) => !r.name.startsWith('CVN_FIXTURE_'))))).toBe(false);
  });
});

// Each case starts the CLI (tsx) as CI does: seconds each on a loaded machine.
describe('npm run catalog:drift', { timeout: 180_000 }, () => {
  it('passes over the reference paper worker against the seeded catalog (what CI runs)', async () => {
    const { code, stdout } = await drift(['--catalog', 'seed', 'runtime-agent/paper-worker']);
    expect(stdout).toMatch(/^catalog drift: none \(catalog: seed, 575 entries, 560 declared consumed outside;/);
    expect(code).toBe(0);
  });

  it('fails on code that reads what the catalog lacks, with each file and line', async () => {
    const { code, stdout } = await drift(['--catalog', 'seed', '--python-resolver', 'resolve_param', '--python-resolver', 'fetch_hp', 'runtime-agent/paper-worker', fixtures]);
    expect(code).toBe(1);
    for (const line of [
      `${fixtures}/typescript/worker.ts:9:30  CVN_FIXTURE_READ_UNKNOWN  (config.get)`,
      `${fixtures}/python/harness.py:13:19  CVN_FIXTURE_GETENV  (os.getenv)`,
      `${fixtures}/python/harness.py:20:18  CVN_FIXTURE_CUSTOM_RESOLVER  (fetch_hp)`,
    ]) expect(stdout).toContain(line);
    expect(stdout).not.toContain('CVN_FIXTURE_IN_COMMENT');
    expect(stdout).not.toContain('CVN_FIXTURE_IN_DOCSTRING');
    expect(stdout).toContain(`note: reads whose name is not a literal (not checked):\n  ${fixtures}/python/harness.py:24:15  os.environ.get`);
  });

  it('refuses a bad invocation with exit code 2', async () => {
    expect((await drift([])).code).toBe(2);
    expect((await drift(['--catalog', 'database', fixtures])).code).toBe(2);
  });

  describe("against the database of DATABASE_URL", () => {
    let t: TestApp;
    beforeAll(async () => { t = await startTestApp(); });
    afterAll(() => t.close());

    it('fails on an entry nothing consumes until the catalog declares who reads it', async () => {
      const created = await t.gql(`mutation ($input: CreateCatalogEntryInput!) { createCatalogEntry(input: $input) { revision consumedOutside } }`, { input: {
        name: 'CVN_BACKTEST_SLIPPAGE_BPS', type: 'FLOAT', minValue: 0, maxValue: 100, defaultValue: '2.0', description: 'Slippage the backtester assumes.',
        group: 'Costs', category: 'COST', reason: 'the backtester needs it',
      } });
      expect(expectData(created).createCatalogEntry.consumedOutside).toBeNull();
      const failing = await drift(['runtime-agent/paper-worker'], { DATABASE_URL: t.db.appUrl });
      expect(failing.code).toBe(1);
      expect(failing.stdout).toMatch(/catalog: database 127\.0\.0\.1:\d+\/\w+, 576 entries/);
      expect(failing.stdout).toContain('catalog: CVN_BACKTEST_SLIPPAGE_BPS  (group Costs)');

      const UPDATE = `mutation ($input: UpdateCatalogEntryInput!) { updateCatalogEntry(input: $input) { revision consumedOutside history { revision snapshot } } }`;
      const refused = await t.gql(UPDATE, { input: { name: 'CVN_BACKTEST_SLIPPAGE_BPS', expectedRevision: 1, reason: 'read by the backtester', consumedOutside: 'Python Backtester!' } });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ code: 'NOT_ALLOWED', field: 'consumedOutside' }] });
      const declared = expectData(await t.gql(UPDATE, { input: { name: 'CVN_BACKTEST_SLIPPAGE_BPS', expectedRevision: 1, reason: 'read by the backtester', consumedOutside: 'python-backtester' } })).updateCatalogEntry;
      expect(declared).toMatchObject({ revision: 2, consumedOutside: 'python-backtester' });
      expect(declared.history[0].snapshot.consumedOutside).toBe('python-backtester');
      expect((await drift(['runtime-agent/paper-worker'], { DATABASE_URL: t.db.appUrl })).code).toBe(0);

      // The database holds the rule too, whoever writes.
      await expect(t.sql.query(`UPDATE variable_catalog SET consumed_outside = 'Not A Label' WHERE name = 'CVN_BACKTEST_SLIPPAGE_BPS'`)).rejects.toThrow(/consumed_outside_check/);
    });
  });
});
