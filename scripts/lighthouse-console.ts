// Lighthouse 12 against the built console on a real server (a throwaway
// database on the PostgreSQL server the tests use): the figures of every view
// the check lists (e2e/lighthouse.spec.ts, phone only, run by `npm test`) and
// the editor, at phone and desktop width. `npm run web:lighthouse`.
import { launchLighthouseChrome } from '../e2e/support/lighthouse-audit.ts';
import { lighthousePages } from '../e2e/support/lighthouse-pages.ts';
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
let chrome: Awaited<ReturnType<typeof launchLighthouseChrome>> | undefined;
let app: Awaited<ReturnType<typeof createApp>> | undefined;
try {
  await seedDatabase(database.prisma, { hasher, passwords: testPasswords });
  app = await createApp({ database, logger, hasher, port: 0, fallback: createConsoleFallback() });
  const signIn = await fetch(`${app.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'editor', password: testPasswords.editor }) });
  const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  chrome = await launchLighthouseChrome();
  const paths = [...lighthousePages.filter((p) => !p.path({ runId: '' }).startsWith('/runs/')).map((p) => p.path({ runId: '' })), '/config/dev'];
  for (const path of paths) {
    for (const formFactor of ['mobile', 'desktop'] as const) {
      const r = await chrome.audit(`${app.url}${path}`, { cookie, formFactor });
      console.log(`${path.padEnd(13)} ${formFactor.padEnd(8)} accessibility ${r.accessibility}  best-practices ${r.bestPractices}  performance ${r.performance}  TTI ${r.interactiveMs} ms  TBT ${r.totalBlockingMs} ms`);
      for (const finding of r.failing) console.log(`  ${finding}`);
    }
  }
} finally {
  await chrome?.close();
  await app?.close();
  await database.close();
  await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
