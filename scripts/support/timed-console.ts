import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { createPasswordHasher } from '../../server/auth/password-hasher.ts';
import { createApp, type App } from '../../app/create-app.ts';
import { connectPostgres } from '../../server/db/connect-postgres.ts';
import type { Database } from '../../server/db/database.ts';
import { createConsoleFallback } from '../../server/http/serve-console.ts';
import { createLogger } from '../../server/logging/create-logger.ts';
import { seedDatabase } from '../../server/seed/seed-database.ts';
import { databaseUrlFor, withAdminClient } from '../../test/support/postgres-admin.ts';
import { testHasherOptions, testPasswords } from '../../test/support/test-passwords.ts';

export interface TimedConsole {
  app: App;
  database: Database;
  /** A browser context signed in as `user` (session cookie), at desktop size. */
  signedIn(user: keyof typeof testPasswords): Promise<BrowserContext>;
}

/**
 * What the console's timing scripts share: a throwaway seeded database, the
 * real server with the built console on port 0, and Debian's Chromium with
 * the flags that keep it off the closed network; all torn down afterwards.
 */
export async function withTimedConsole(label: string, work: (c: TimedConsole) => Promise<void>): Promise<void> {
  const name = `ucp_${label}_${process.pid}`;
  const logger = createLogger({ level: 'silent' });
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name}`));
  const database = await connectPostgres({ connectionString: databaseUrlFor(name), logger });
  const hasher = createPasswordHasher(testHasherOptions);
  let app: App | undefined;
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    await seedDatabase(database.prisma, { hasher, passwords: testPasswords });
    const started = await createApp({ database, logger, hasher, port: 0, fallback: createConsoleFallback() });
    app = started;
    const opened = browser;
    await work({
      app: started,
      database,
      async signedIn(user) {
        const context = await opened.newContext({ baseURL: started.url, viewport: { width: 1280, height: 900 } });
        const signIn = await context.request.post('/auth/session', { data: { username: user, password: testPasswords[user] } });
        if (signIn.status() !== 200) throw new Error(`sign-in answered ${signIn.status()}`);
        return context;
      },
    });
  } finally {
    await browser?.close();
    await app?.close();
    await database.close();
    await withAdminClient((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** "median 123 ms (min 100, max 150)". */
export const formatTimings = (xs: number[]) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))})`;
