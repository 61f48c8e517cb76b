import pg from 'pg';
import { createPasswordHasher } from '../../server/auth/password-hasher.ts';
import { connectPostgres } from '../../server/db/connect-postgres.ts';
import type { Database, PrismaQueryEvent } from '../../server/db/database.ts';
import { createApp, type App, type AppOptions } from '../../app/create-app.ts';
import { createLogger, type Logger } from '../../server/logging/create-logger.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { testHasherOptions, testPasswords } from './test-passwords.ts';

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

export type TestUser = keyof typeof testPasswords | { token: string } | { authorization: string } | null;

export function authorizationFor(user: TestUser): string | undefined {
  if (user === null) return undefined;
  if (typeof user === 'object') return 'authorization' in user ? user.authorization : `Bearer ${user.token}`;
  return `Basic ${Buffer.from(`${user}:${testPasswords[user]}`).toString('base64')}`;
}

/** The METRICS_TOKEN every test server is started with. */
export const testMetricsToken = 'test-metrics-token-0123456789abcdef';

export interface TestApp {
  app: App;
  db: TestDatabase;
  database: Database;
  /** A plain pg connection to the test database as its owner, for raw-SQL setup and checks. */
  sql: pg.Client;
  url: string;
  /** POSTs a GraphQL operation as a seeded user (Basic), a token, or nobody. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: TestUser): Promise<GraphQLResponse<T>>;
  /** The Prometheus exposition, read with the test's METRICS_TOKEN (/metrics refuses a scrape without it). */
  scrape(): Promise<string>;
  /** Restarts the server process part on the same database (LISTEN, pubsub and HTTP anew). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real server on port 0 over a fresh clone of the seeded template on the
 * real PostgreSQL server. `close()` stops it and drops the database.
 */
export async function startTestApp({ onQuery, db: givenDb, port = 0, logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), options = {} }: {
  onQuery?: (e: PrismaQueryEvent) => void;
  db?: TestDatabase;
  port?: number;
  /** The server's logger (a test that reads the log passes its own). */
  logger?: Logger;
  /** More of createApp's options (a throttle's clock, CORS origins, …). */
  options?: Partial<Omit<AppOptions, 'database' | 'logger' | 'hasher' | 'port'>>;
} = {}): Promise<TestApp> {
  const db = givenDb ?? (await createTestDatabase());
  // The server runs as the application role, as in production; `sql` is the owner's.
  const database = await connectPostgres({ connectionString: db.appUrl, logger, migrate: false, onQuery, listenRetryBaseMs: 20 });
  const hasher = createPasswordHasher(testHasherOptions);
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  let app = await createApp({ database, logger, hasher, port, wsRecheckIntervalMs: 100, metricsToken: testMetricsToken, ...options });
  const harness: TestApp = {
    get app() { return app; },
    db,
    database,
    sql,
    get url() { return app.url; },
    async gql(query, variables, as = 'admin') {
      const authorization = authorizationFor(as);
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as GraphQLResponse<any>;
    },
    async scrape() {
      const response = await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${testMetricsToken}` } });
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${await response.text()}`);
      return response.text();
    },
    async restart() {
      const port = app.port;
      await app.close();
      app = await createApp({ database, logger, hasher, port, wsRecheckIntervalMs: 100, metricsToken: testMetricsToken, ...options });
    },
    async close() {
      await sql.end();
      await app.close();
      await database.close();
      if (!givenDb) await db.drop();
    },
  } as TestApp;
  return harness;
}

/** Fails the test with the server's errors when a response has any. */
export function expectData<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors, null, 2)}`);
  }
  return response.data;
}

/** The first error's code. */
export function errorCode(response: GraphQLResponse): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
