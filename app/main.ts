// `npm start`: the product on one port. Without DATABASE_URL it runs on an
// embedded PostgreSQL (PGlite) kept under DATA_DIR (./data by default).
import path from 'node:path';
import { createApp } from './create-app.ts';
import { openDatabase } from './open-database.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { createPasswordHasher } from '../server/auth/index.ts';
import { readSettings, secureCookiesOf } from '../server/settings.ts';
import { createConsoleFallback } from '../server/http/serve-console.ts';
import { startReferenceWorker } from '../server/reference-worker/start-reference-worker.ts';

const settings = readSettings();
const logger = createLogger({ level: settings.LOG_LEVEL });
const hasher = createPasswordHasher();

// Migrates and seeds as the owner, then serves as the application role (README, "Database roles").
const { database, alreadySeeded, credentialsFile } = await openDatabase({ settings, logger, hasher }).catch((error: Error) => {
  logger.fatal({ event: 'startup_failed', err: error.message }, error.message);
  process.exit(1);
});

const app = await createApp({
  database, logger, hasher, port: settings.PORT, host: settings.HOST,
  secureCookies: secureCookiesOf(settings),
  corsOrigins: settings.CORS_ORIGINS, trustProxy: settings.TRUST_PROXY,
  signInThrottle: { maxDelayMs: settings.SIGN_IN_MAX_BACKOFF_SECONDS * 1000 },
  sessionTtlMs: settings.SESSION_TTL_HOURS * 3_600_000,
  metricsToken: settings.METRICS_TOKEN, metricsPort: settings.METRICS_PORT,
  limits: { maxValueLength: settings.MAX_VALUE_LENGTH, json: { maxBytes: settings.MAX_JSON_BYTES, maxDepth: settings.MAX_JSON_DEPTH } },
  ...(settings.BACKTEST_EXECUTOR ? { backtests: {} } : {}),
  fallback: createConsoleFallback(),
});

// One reference paper worker on dev beside the server (PAPER_WORKER=false to skip).
const referenceWorker = settings.PAPER_WORKER
  ? await startReferenceWorker({ access: app.services.access, url: app.url, logger })
  : undefined;

process.stdout.write([
  '',
  `  Unified Configuration Platform on ${app.url}`,
  `  GraphQL + GraphiQL  ${app.url}/graphql   (WebSocket and SSE on the same path)`,
  `  Database            ${database.kind === 'embedded' ? `embedded PostgreSQL in ${path.join(settings.dataDir, 'pglite')}` : 'DATABASE_URL'}`,
  `  Paper worker        ${referenceWorker ? 'paper-1 on dev (reference worker, one synthetic candle a second)' : 'off (PAPER_WORKER=false)'}`,
  `  Sign in             users admin, approver, editor, viewer; ${credentialsFile ? `passwords in ${credentialsFile}` : alreadySeeded ? 'passwords as set on first start' : 'passwords from UCP_<USER>_PASSWORD'}`,
  '',
].join('\n') + '\n');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ event: 'shutdown', signal }, 'shutting down');
  await referenceWorker?.stop();
  await app.close();
  await database.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
