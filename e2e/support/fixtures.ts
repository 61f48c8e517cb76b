import AxeBuilder from '@axe-core/playwright';
import { expect, test as base, type Page } from '@playwright/test';
import { createPasswordHasher } from '../../server/auth/password-hasher.ts';
import { createApp, type App } from '../../app/create-app.ts';
import { connectPostgres } from '../../server/db/connect-postgres.ts';
import type { Database } from '../../server/db/database.ts';
import { createConsoleFallback } from '../../server/http/serve-console.ts';
import { createLogger } from '../../server/logging/create-logger.ts';
import { testHasherOptions, testPasswords } from '../../test/support/test-passwords.ts';
import { cloneTemplateDatabase, type E2eDatabase } from './e2e-database.ts';

export type Username = 'admin' | 'approver' | 'editor' | 'viewer';

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

/** The product for one test: the real server with the built console, on port 0, over its own database. */
export interface ConsoleApp {
  url: string;
  app: App;
  database: Database;
  /** A GraphQL call as a seeded user over HTTP Basic (what scripts do). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, as?: Username | { token: string }): Promise<GqlResult<T>>;
}

interface Fixtures {
  consoleApp: ConsoleApp;
  /** Signs `page` in through the session endpoint (the sign-in spec drives the form itself). */
  signInAs(user: Username): Promise<void>;
  /** axe-core over the current page: no serious or critical violation. */
  expectAccessible(page: Page): Promise<void>;
}

export const test = base.extend<Fixtures>({
  consoleApp: async ({}, use) => {
    const db: E2eDatabase = await cloneTemplateDatabase();
    const logger = createLogger({ level: process.env.E2E_LOG_LEVEL ?? 'silent' });
    const database = await connectPostgres({ connectionString: db.appUrl, logger, migrate: false, listenRetryBaseMs: 20 });
    let app: App | undefined;
    try {
      app = await createApp({ database, logger, hasher: createPasswordHasher(testHasherOptions), port: 0, fallback: createConsoleFallback(), backtests: {} });
      const url = app.url;
      await use({
        url,
        app,
        database,
        async gql(query, variables, as = 'admin') {
          const authorization = typeof as === 'object' ? `Bearer ${as.token}` : `Basic ${Buffer.from(`${as}:${testPasswords[as]}`).toString('base64')}`;
          const response = await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization },
            body: JSON.stringify({ query, variables }),
          });
          return (await response.json()) as GqlResult;
        },
      });
    } finally {
      await app?.close();
      await database.close();
      await db.drop();
    }
  },
  baseURL: async ({ consoleApp }, use) => {
    await use(consoleApp.url);
  },
  signInAs: async ({ page, consoleApp }, use) => {
    await use(async (user) => {
      const response = await page.request.post(`${consoleApp.url}/auth/session`, { data: { username: user, password: testPasswords[user] } });
      expect(response.status()).toBe(200);
    });
  },
  expectAccessible: async ({}, use) => {
    await use(async (page) => {
      const results = await new AxeBuilder({ page }).analyze();
      const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    });
  },
});

export { expect };

export const passwordOf = (user: Username) => testPasswords[user]!;
