// The child process of migrate-in-child-process.ts: applies the migrations
// to UCP_MIGRATE_URL and prints the outcome as one JSON line, then exits at
// once: left to itself the process lingers ~10 s after the migration (a
// handle the schema engine's adapter leaves open), and the server's start
// waits for it.
import { migratePostgres } from '../server/db/migrate-postgres.ts';

const report = (outcome: { applied: string[] } | { error: string }, code: number) =>
  process.stdout.write(`${JSON.stringify(outcome)}\n`, () => process.exit(code));

try {
  report({ applied: await migratePostgres(process.env.UCP_MIGRATE_URL ?? '') }, 0);
} catch (error) {
  report({ error: error instanceof Error ? error.message : String(error) }, 1);
}
