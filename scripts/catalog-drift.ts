// npm run catalog:drift -- [options] <source folders or files...>
//
// The Need's second risk (§8): catalog entries nothing consumes, and
// parameters consumed in code but absent from the catalog. Scans TypeScript
// (the runtime agent's `consumes` declarations and `config.get('X')`-style
// reads) and Python (`os.environ[...]`, `os.getenv(...)`,
// `os.environ.get(...)` and a named resolver), compares with the catalog and
// exits 1 on drift in either direction, listing each offender.
//
// Options:
//   --catalog seed|database   the seeded catalog (prisma/seed), or the database of DATABASE_URL
//                             (default: database when DATABASE_URL is set, else seed)
//   --python-resolver NAME    a Python function that resolves a parameter (repeatable; default resolve_param)
//   --read-method NAME        a TypeScript method whose first argument is a parameter (repeatable;
//                             default get, number, boolean, string)
//   --name-pattern REGEX      what an environment variable or generic read must look like to be a
//                             parameter (default ^CVN_[A-Z0-9_]+$)
import { parseArgs } from 'node:util';
import { compareDrift, driftFails } from './catalog-drift/compare-drift.ts';
import { databaseCatalog, seededCatalog } from './catalog-drift/drift-catalog.ts';
import { formatDriftReport } from './catalog-drift/format-drift-report.ts';
import { defaultScanOptions } from './catalog-drift/parameter-reference.ts';
import { scanSources } from './catalog-drift/scan-sources.ts';

function usage(message: string): never {
  console.error(`catalog:drift: ${message}\nusage: npm run catalog:drift -- [--catalog seed|database] [--python-resolver NAME] [--read-method NAME] [--name-pattern REGEX] <folders...>`);
  process.exit(2);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        catalog: { type: 'string' },
        'python-resolver': { type: 'string', multiple: true },
        'read-method': { type: 'string', multiple: true },
        'name-pattern': { type: 'string' },
      },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
})();

if (positionals.length === 0) usage('name at least one source folder.');
const catalogSource = values.catalog ?? (process.env.DATABASE_URL ? 'database' : 'seed');
if (catalogSource !== 'seed' && catalogSource !== 'database') usage(`--catalog is seed or database, not ${catalogSource}.`);
if (catalogSource === 'database' && !process.env.DATABASE_URL) usage('--catalog database needs DATABASE_URL.');
const namePattern = (() => {
  try {
    return values['name-pattern'] ? new RegExp(values['name-pattern']) : defaultScanOptions.namePattern;
  } catch {
    return usage(`--name-pattern ${values['name-pattern']} is not a regular expression.`);
  }
})();

const options = {
  namePattern,
  readMethods: values['read-method'] ?? defaultScanOptions.readMethods,
  pythonResolvers: values['python-resolver'] ?? defaultScanOptions.pythonResolvers,
};

try {
  const [catalog, scan] = await Promise.all([
    catalogSource === 'database' ? databaseCatalog(process.env.DATABASE_URL!) : Promise.resolve(seededCatalog()),
    scanSources(positionals, options),
  ]);
  const report = compareDrift(catalog, scan.references);
  console.log(formatDriftReport(catalog, scan, report));
  process.exitCode = driftFails(report) ? 1 : 0;
} catch (error) {
  console.error(`catalog:drift: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
