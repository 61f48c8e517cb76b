import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProduct, type RunningProduct } from './support/spawn-product.ts';
import { authorizationFor } from './support/start-test-app.ts';
import { subscribeWs } from './support/subscription-clients.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

/** Waits for the product's output to match (pino writes its lines asynchronously, after the banner). */
function outputMatching(product: RunningProduct, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(product.output());
      if (!match) return;
      clearTimeout(timer);
      product.process.stdout!.off('data', onData);
      resolve(match);
    };
    const onData = () => setImmediate(check);
    const timer = setTimeout(() => {
      product.process.stdout!.off('data', onData);
      reject(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${product.output().slice(-2_000)}`));
    }, timeoutMs);
    product.process.stdout!.on('data', onData);
    check();
  });
}

/** Running (a zombie is not: orphaned, it waits for an init that may never reap it in a container). */
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
};

/**
 * `npm start` runs the reference paper worker as a child process. When the
 * server dies without a chance to stop it (SIGKILL, out of memory), the
 * worker must go too, not poll a dead server forever.
 */
describe('the reference paper worker started by npm start', () => {
  let db: TestDatabase;
  let product: RunningProduct | undefined;
  let workerPid: number | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await product?.stop('SIGKILL');
    if (workerPid !== undefined && isAlive(workerPid)) process.kill(workerPid, 'SIGKILL');
    await db.drop();
  });

  it('dies with the server when the server is killed', { timeout: 90_000 }, async () => {
    product = await spawnProduct({ DATABASE_URL: db.url, LOG_LEVEL: 'info', CANDLE_INTERVAL_MS: '200' });
    workerPid = Number((await outputMatching(product, /"event":"reference_worker_started"[^\n]*"pid":(\d+)/, 10_000))[1]);

    // The worker is up and connected: it reports READY over its socket.
    const statuses = subscribeWs(product.url, 'subscription { workerStatusChanged(environment: "dev") { name status } }', {}, (d) => d.workerStatusChanged, 'admin');
    const response = await fetch(`${product.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: authorizationFor('admin')! },
      body: JSON.stringify({ query: '{ workers(environment: "dev") { name status } }' }),
    });
    const workers = ((await response.json()) as { data: { workers: { name: string; status: string }[] } }).data.workers;
    const ready = (w: { name: string; status: string }) => w.name === 'paper-1' && w.status === 'READY';
    if (!workers.some(ready)) {
      for (let seen = await statuses.take(1, 30_000); !ready(seen[0]!); seen = await statuses.take(1, 30_000));
    }
    await statuses.close();
    expect(isAlive(workerPid)).toBe(true);

    // The worker writes to the server's stdout, which it inherited: the pipe
    // closes once the last of the two is gone.
    const outputClosed = once(product.process.stdout!, 'close');
    product.process.kill('SIGKILL');
    await Promise.race([
      outputClosed,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`the worker (pid ${workerPid}) outlived the server by 10 s`)), 10_000).unref()),
    ]);
    expect(isAlive(workerPid)).toBe(false);
  });
});
