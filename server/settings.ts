import path from 'node:path';
import { z } from 'zod';

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
  SECURE_COOKIES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  PAPER_WORKER: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});

export type Settings = z.infer<typeof schema>;

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
