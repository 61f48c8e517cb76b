import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifiedTokens } from '../server/auth/verified-tokens.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The verified-token cache answers a fleet's repeated token checks without a
 * database read each, and never outlives a revocation: a change forgets, a
 * read begun before a change is not remembered, nothing is trusted while
 * changes cannot be heard, and entries expire.
 */
const viewer = { kind: 'service' as const, tokenId: 't1', name: 'w', environmentId: 'e', environmentName: 'dev' };

describe('verified tokens', () => {
  it('remembers a verification, and forgets it on a change of that token or of all', () => {
    const cache = createVerifiedTokens({ listening: () => true });
    cache.remember(cache.epoch(), 't1', 'h1', viewer);
    expect(cache.viewerOf('h1')).toEqual(viewer);
    expect(cache.isLive('t1')).toBe(true);
    cache.forget({ kind: 'user', id: 'u1' });
    expect(cache.viewerOf('h1')).toEqual(viewer);
    cache.forget({ kind: 'token', id: 't1' });
    expect(cache.viewerOf('h1')).toBeUndefined();
    expect(cache.isLive('t1')).toBe(false);
    cache.remember(cache.epoch(), 't1', 'h1', viewer);
    cache.forget({ kind: 'all', id: '' });
    expect(cache.viewerOf('h1')).toBeUndefined();
  });

  it('does not remember a read that began before a change', () => {
    const cache = createVerifiedTokens({ listening: () => true });
    const before = cache.epoch();
    cache.forget({ kind: 'token', id: 't1' }); // the revocation's notification arrives mid-read
    cache.remember(before, 't1', 'h1', viewer);
    expect(cache.viewerOf('h1')).toBeUndefined();
    expect(cache.isLive('t1')).toBe(false);
  });

  it('trusts nothing while changes cannot be heard, and nothing past its TTL', () => {
    let listening = false;
    let clock = 0;
    const cache = createVerifiedTokens({ listening: () => listening, ttlMs: 1_000, now: () => clock });
    cache.remember(cache.epoch(), 't1', 'h1', viewer);
    expect(cache.viewerOf('h1')).toBeUndefined();
    listening = true;
    cache.remember(cache.epoch(), 't1', 'h1', viewer);
    listening = false;
    expect(cache.isLive('t1')).toBe(false);
    listening = true;
    cache.remember(cache.epoch(), 't1', 'h1', viewer);
    clock = 1_001;
    expect(cache.viewerOf('h1')).toBeUndefined();
    expect(cache.isLive('t1')).toBe(false);
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = createVerifiedTokens({ listening: () => true, maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) cache.remember(cache.epoch(), id, `h${id}`, { ...viewer, tokenId: id });
    expect(cache.viewerOf('ha')).toBeUndefined();
    expect(cache.viewerOf('hc')?.tokenId).toBe('c');
  });
});

describe('a revoked token on the cached path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is refused on its very next request after the revocation returns, having been verified just before', async () => {
    const created = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "cached" }) { token serviceToken { id } } }`)).createServiceToken;
    const ask = () => t.gql(`{ environment(name: "dev") { activeVersion } }`, {}, { token: created.token });
    // Verified (and remembered) by the first request, served from memory by the second.
    expectData(await ask());
    expectData(await ask());
    expectData(await t.gql(`mutation ($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id: created.serviceToken.id }));
    expect(errorCode(await ask())).toBe('UNAUTHENTICATED');
  });

  it('is refused after a revocation committed outside this process (heard through NOTIFY)', async () => {
    const created = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "cached-elsewhere" }) { token serviceToken { id } } }`)).createServiceToken;
    const ask = () => t.gql(`{ environment(name: "dev") { activeVersion } }`, {}, { token: created.token });
    expectData(await ask());
    const heard = new Promise<void>((resolve) => {
      const changes = t.app.pubsub.subscribe('credentialsChanged');
      void changes.next().then(() => {
        void changes.return?.();
        resolve();
      });
    });
    await t.sql.query(`UPDATE service_tokens SET revoked_at = now() WHERE name = $1`, ["cached-elsewhere"]);
    await heard;
    expect(errorCode(await ask())).toBe('UNAUTHENTICATED');
  });
});
