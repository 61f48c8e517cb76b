import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface RunningProduct {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Compiles the server to dist/ unless it is up to date, as `npm start`'s
 * prestart does (test/global-setup.ts builds once per run; later calls only
 * check). Synchronous: the script holds a lock while it builds.
 */
export function buildProduct(): void {
  const result = spawnSync(process.execPath, ['scripts/build-server-if-stale.mjs'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`building the server failed (${result.status ?? result.signal})`);
}

/**
 * Starts the server as `npm start` would (compiled, `node dist/app/main.js`),
 * on port 0, and resolves once it prints its URL (or rejects with its output
 * when it exits or times out).
 */
export function spawnProduct(env: Record<string, string>, timeoutMs = 60_000, nodeArgs: string[] = []): Promise<RunningProduct> {
  buildProduct();
  const child = spawn(process.execPath, [...nodeArgs, 'dist/app/main.js'], {
    cwd: root,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the product did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Unified Configuration Platform on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          process: child,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the product exited with ${code} before it was ready:\n${output}`));
    });
  });
}
