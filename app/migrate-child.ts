// The child process of migrate-in-child-process.ts: applies the migrations
// to UCP_MIGRATE_URL and prints the outcome as one JSON line.
import { migratePostgres } from '../server/db/migrate-postgres.ts';

try {
  const applied = await migratePostgres(process.env.UCP_MIGRATE_URL ?? '');
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
  process.exitCode = 1;
}
