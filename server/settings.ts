import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_JSON_LIMITS, DEFAULT_MAX_VALUE_LENGTH, MAX_VALUE_LENGTH_LIMIT } from '../contract/validation/index.ts';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  /** The application's role (a member of ucp_app): no ownership, no TRUNCATE, no DDL. */
  DATABASE_URL: z.string().url().optional(),
  /** The tables' owner, for migrations and seeding; defaults to DATABASE_URL (a single-user setup). */
  MIGRATION_DATABASE_URL: z.string().url().optional(),
  /** `production` makes a privileged DATABASE_URL role fatal instead of a warning. */
  NODE_ENV: z.string().optional(),
  DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * `auto`: Secure cookies and HSTS for requests that came over HTTPS (TLS, or
   * X-Forwarded-Proto from a TRUST_PROXY), and always with NODE_ENV=production.
   */
  SECURE_COOKIES: z.enum(['true', 'false', 'auto']).default('auto').transform((v) => (v === 'auto' ? v : v === 'true')),
  /** A reverse proxy in front: believe its X-Forwarded-For (sign-in throttling) and X-Forwarded-Proto (HTTPS). */
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Comma-separated origins besides the server's own that may call the API with credentials (CORS). */
  CORS_ORIGINS: z.string().default('').transform((v, ctx) => {
    const origins = v.split(',').map((part) => part.trim()).filter(Boolean);
    for (const origin of origins) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/$/, '')) {
        ctx.addIssue({ code: 'custom', message: `${origin} is not an origin (scheme://host[:port])` });
      }
    }
    return origins;
  }),
  /** The longest a sign-in block lasts, however many failures (throttling never locks an account for good). */
  SIGN_IN_MAX_BACKOFF_SECONDS: z.coerce.number().int().positive().default(900),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  PAPER_WORKER: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  // Re-runs of backtests are executed in this process (app/backtest-executor.ts).
  BACKTEST_EXECUTOR: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** The longest parameter value, in characters, unless its catalog entry says otherwise (maxLength). */
  MAX_VALUE_LENGTH: z.coerce.number().int().min(1).max(MAX_VALUE_LENGTH_LIMIT).default(DEFAULT_MAX_VALUE_LENGTH),
  /** The largest JSON input (run metadata, a parameter set's factors and code version), in bytes. */
  MAX_JSON_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(DEFAULT_JSON_LIMITS.maxBytes),
  /** The deepest nesting of a JSON input. */
  MAX_JSON_DEPTH: z.coerce.number().int().min(1).max(32).default(DEFAULT_JSON_LIMITS.maxDepth),
  /** The bearer Prometheus sends to /metrics on PORT; unset, /metrics there answers 401 to everyone. */
  METRICS_TOKEN: z.string().min(32, 'use at least 32 random characters').optional(),
  /** A port of its own serving /metrics without a credential (keep it off the Ingress; the pod annotations scrape it). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
});

export type Settings = z.infer<typeof schema>;

/** SECURE_COOKIES as the server applies it: production is served over HTTPS, so `auto` means secure there. */
export function secureCookiesOf(settings: Pick<Settings, 'SECURE_COOKIES' | 'NODE_ENV'>): boolean | 'auto' {
  return settings.SECURE_COOKIES === 'auto' && settings.NODE_ENV === 'production' ? true : settings.SECURE_COOKIES;
}

/**
 * Reads the environment once at start; a bad value stops the process with a
 * message naming it (no silent defaults for what was set wrong).
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings & { dataDir: string } {
  // An empty variable means "not set" (shells and CI often export VAR=).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid settings: ${problems}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.DATA_DIR) };
}
