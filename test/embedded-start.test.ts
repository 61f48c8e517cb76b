import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnProduct, type RunningProduct } from './support/spawn-product.ts';
import { subscribeWs } from './support/subscription-clients.ts';

const admin = (password: string) => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;

async function gql(url: string, authorization: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query, variables }) });
  return response.json() as Promise<{ data?: any; errors?: unknown[] }>;
}

/**
 * `npm start` with no DATABASE_URL: the real entry point on embedded
 * PostgreSQL (PGlite), migrated and seeded on first start, persistent across
 * restarts, with LISTEN feeding subscriptions in-process.
 */
describe('zero-setup start on the embedded database', () => {
  let dataDir: string;
  let product: RunningProduct | undefined;
  afterAll(async () => {
    await product?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // Two cold starts of the product on PGlite (migrate, seed, worker): slow when the suite runs beside it.
  it('migrates, seeds, serves, publishes changes, and keeps its data across a restart', { timeout: 90_000 }, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ucp-embedded-'));
    product = await spawnProduct({ DATA_DIR: dataDir, DATABASE_URL: '' });
    expect(product.output()).toMatch(/embedded PostgreSQL/);

    // No password set: random ones, written to a private file, not printed.
    const file = path.join(dataDir, 'initial-credentials.txt');
    const credentials = await readFile(file, 'utf8');
    const password = /^admin\s+ADMIN\s+(\S+)$/m.exec(credentials)![1]!;
    expect(product.output()).not.toContain(password);

    const environments = await gql(product.url, admin(password), `{ environments { name activeVersion } catalog(first: 1) { totalCount } }`);
    expect(environments.data.environments).toEqual([
      { name: 'dev', activeVersion: 1 }, { name: 'staging', activeVersion: 1 }, { name: 'prod', activeVersion: 1 },
    ]);
    expect(environments.data.catalog.totalCount).toBeGreaterThan(500);

    // The start command also runs the reference paper worker on dev.
    const statuses = subscribeWs(product.url, `subscription { workerStatusChanged(environment: "dev") { name status appliedVersion } }`, {}, (d) => d.workerStatusChanged, { authorization: admin(password) });
    const workers = (await gql(product.url, admin(password), `{ workers(environment: "dev") { name status appliedVersion } }`)).data.workers;
    if (!workers.some((w: { status: string }) => w.status === 'READY')) {
      for (let seen = await statuses.take(1, 30_000); seen[0]!.status !== 'READY'; seen = await statuses.take(1, 30_000));
    }
    await statuses.close();

    // afterVersion 0 replays version 1 first; once it arrives the live side is
    // subscribed, so version 2 must come through PGlite's LISTEN.
    const events = subscribeWs(product.url, `subscription { configChanged(environment: "dev", afterVersion: 0) { version changedKeys } }`, {}, (d) => d.configChanged, { authorization: admin(password) });
    expect((await events.take(1, 20_000))[0]!.version).toBe(1);
    const saved = await gql(product.url, admin(password), `mutation { updateConfig(input: { environment: "dev", expectedVersion: 1, reason: "embedded smoke", changes: [{ name: "CVN_ATR_PERIOD", value: "21" }] }) { version { version } } }`);
    expect(saved.data.updateConfig.version.version).toBe(2);
    expect(await events.take(1)).toEqual([{ version: 2, changedKeys: ['CVN_ATR_PERIOD'] }]);
    await events.close();

    expect(await product.stop()).toBe(0);
    product = await spawnProduct({ DATA_DIR: dataDir, DATABASE_URL: '' });
    const after = await gql(product.url, admin(password), `{ environment(name: "dev") { activeVersion values(names: ["CVN_ATR_PERIOD"]) { value } } }`);
    expect(after.data.environment).toEqual({ activeVersion: 2, values: [{ value: '21' }] });
    const tokens = (await gql(product.url, admin(password), `{ serviceTokens(environment: "dev", includeRevoked: true) { name revokedAt } }`)).data.serviceTokens;
    // Each start issues the worker a fresh token and revokes the previous one.
    expect(tokens.filter((t: { name: string }) => t.name === 'reference-paper-worker').map((t: { revokedAt: string | null }) => t.revokedAt === null).sort()).toEqual([false, true]);
  });
});
