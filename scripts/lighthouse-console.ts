// Lighthouse 12 against the built console on a real server (a throwaway
// database on the PostgreSQL server the tests use): accessibility and
// best-practices scores of the dashboard, audit trail and editor, and the
// editor's time to interactive. A figure, not a test: `npm run web:lighthouse`.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { createPasswordHasher } from '../server/auth/password-hasher.ts';
import { createApp } from '../app/create-app.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { createConsoleFallback } from '../server/http/serve-console.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { seedDatabase } from '../server/seed/seed-database.ts';
import { databaseUrlFor, withAdminClient } from '../test/support/postgres-admin.ts';
import { testHasherOptions, testPasswords } from '../test/support/test-passwords.ts';

const name = `ucp_lighthouse_${process.pid}`;
const logger = createLogger({ level: 'silent' });
await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
const database = await connectPostgres({ connectionString: databaseUrlFor(name), logger });
const hasher = createPasswordHasher(testHasherOptions);
let chrome: chromeLauncher.LaunchedChrome | undefined;
let app: Awaited<ReturnType<typeof createApp>> | undefined;
try {
  await seedDatabase(database.prisma, { hasher, passwords: testPasswords });
  app = await createApp({ database, logger, hasher, port: 0, fallback: createConsoleFallback() });
  const signIn = await fetch(`${app.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: testPasswords.editor }) });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const path of ['/dashboard', '/history/dev', '/config/dev']) {
    for (const formFactor of ['mobile', 'desktop'] as const) {
      const result = await lighthouse(`${app.url}${path}`, {
        port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['accessibility', 'best-practices', 'performance'],
        extraHeaders: { cookie }, formFactor, screenEmulation: formFactor === 'desktop' ? { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false } : undefined,
        throttlingMethod: 'provided',
      });
      const lhr = result!.lhr;
      const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
      const tti = lhr.audits.interactive?.numericValue;
      console.log(`${path.padEnd(13)} ${formFactor.padEnd(8)} accessibility ${score('accessibility')}  best-practices ${score('best-practices')}  performance ${score('performance')}  TTI ${tti ? Math.round(tti) : '?'} ms`);
    }
  }
} finally {
  await chrome?.kill();
  await app?.close();
  await database.close();
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
