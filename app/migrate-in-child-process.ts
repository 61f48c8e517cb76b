import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * migratePostgres in a short-lived child process. The schema engine is
 * WebAssembly: once instantiated, its compiled code and memory stay ~50 MB
 * resident for as long as the process lives (its bindings module keeps the
 * instance; a worker thread's exit did not give the memory back either, the
 * allocator keeps it), and a server migrates once, at start (issue #15).
 * The child runs the file beside this one: compiled from dist/ with plain
 * node, from source with the same loader (tsx) as this process.
 */
export function migrateInChildProcess(connectionString: string): Promise<string[]> {
  const self = fileURLToPath(import.meta.url);
  const entry = path.join(path.dirname(self), `migrate-child${path.extname(self)}`);
  const loader = self.endsWith('.ts') ? process.execArgv : [];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...loader, entry], { env: { ...process.env, UCP_MIGRATE_URL: connectionString }, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const outcome = (() => {
        try {
          return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { applied?: string[]; error?: string };
        } catch {
          return undefined;
        }
      })();
      if (outcome?.applied) resolve(outcome.applied);
      else reject(new Error(outcome?.error ?? `the migration process failed (${error?.message ?? 'no outcome'})\n${stderr}`));
    });
  });
}
