import type { PrismaClient } from '../../server/generated/prisma/client.ts';

export interface BulkRunsOptions {
  /** How many runs (10,000 for the timing figure). */
  count: number;
  /** An existing set frozen from `environment`@`version` (every run is pinned to one). */
  parameterSetHash: string;
  environment?: string;
  version?: number;
  /** Names are `<prefix> 00001` …, newest first by start time. */
  prefix?: string;
}

/**
 * Inserts `count` runs in two SQL statements, as an import of history would:
 * a mix of kinds, starters and outcomes (every 7th succeeded, every 11th
 * failed, with digests), pinned to one version. Seconds for 10,000, where the
 * API would take minutes. The database's run guards still apply (through the
 * application role or the owner alike).
 */
export async function seedBulkRuns(prisma: Pick<PrismaClient, '$executeRawUnsafe'>, { count, parameterSetHash, environment = 'dev', version = 1, prefix = 'bulk' }: BulkRunsOptions): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO runs (id, kind, name, parameter_set_hash, environment_id, config_version, started_by, started_at)
     SELECT gen_random_uuid(), (ARRAY['EXPERIMENT','BACKTEST','PAPER','LIVE'])[1 + i % 4]::"RunKind", $1 || ' ' || lpad(i::text, 5, '0'),
            $2, e.id, $3, CASE WHEN i % 3 = 0 THEN 'token:orchestrator' WHEN i % 3 = 1 THEN 'editor' ELSE 'admin' END,
            now() - interval '1 hour' - make_interval(secs => i * 60)
     FROM generate_series(1, $4::int) AS i, environments e WHERE e.name = $5`,
    prefix, parameterSetHash, version, count, environment,
  );
  await prisma.$executeRawUnsafe(
    `UPDATE runs SET status = (CASE WHEN right(name, 5)::int % 7 = 0 THEN 'SUCCEEDED' ELSE 'FAILED' END)::"RunStatus",
            ended_at = started_at + interval '20 minutes',
            output_digest = 'sha256:' || encode(sha256(convert_to(name, 'UTF8')), 'hex')
     WHERE name LIKE $1 || ' %' AND (right(name, 5)::int % 7 = 0 OR right(name, 5)::int % 11 = 0)`,
    prefix,
  );
}
