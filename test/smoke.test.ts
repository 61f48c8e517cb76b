import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

describe('the server on a seeded database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the seeded environments with their typed values', async () => {
    const data = expectData(await t.gql(`{ environments { name activeVersion values(names: ["CVN_ATR_PERIOD", "CVN_PTE_ENVELOPE"]) { name value typed entry { type } } } }`));
    expect(data.environments.map((e: { name: string }) => e.name)).toEqual(['dev', 'staging', 'prod']);
    const dev = data.environments[0];
    expect(dev.activeVersion).toBe(1);
    expect(dev.values).toEqual([
      { name: 'CVN_ATR_PERIOD', value: expect.any(String), typed: expect.any(Number), entry: { type: 'INT' } },
      { name: 'CVN_PTE_ENVELOPE', value: 'ATR0.5_1.5_H4', typed: 'ATR0.5_1.5_H4', entry: { type: 'ENUM' } },
    ]);
  });

  it('answers health, readiness and metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true, listen: true });
    expect(await t.scrape()).toContain('ucp_listen_connected 1');
  });
});
