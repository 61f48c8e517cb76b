import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { subscribeWs } from './support/subscription-clients.ts';

/**
 * A subscription resumed at (or after) the last version the LISTEN bridge
 * published reads no backlog: every later version reaches it live. A fleet
 * reconnecting at the current version (a server restart) then costs no read
 * per worker. One resumed behind still reads and replays what it missed.
 */
const EVENTS = `subscription($env: String!, $after: Int) { configChanged(environment: $env, afterVersion: $after) { version } }`;
const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`;
// readVersionEvents' statement: the bridge reads through plain pg, so only a subscription's backlog read is seen here.
const isBacklogRead = (query: string) => query.includes('FROM config_versions v') && query.includes('v.version > $2');

/** Resolves once `ready()` holds, or fails after 5 s (checked once per turn of the event loop). */
async function until(ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('not subscribed within 5 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('resuming at the published version', () => {
  let t: TestApp;
  let backlogReads = 0;
  let version: number;
  beforeAll(async () => {
    t = await startTestApp({ onQuery: (e) => { if (isBacklogRead(e.query)) backlogReads += 1; } });
    version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    for (let i = 0; i < 3; i += 1) version = await save(String(0.5 + i / 100));
  });
  afterAll(() => t.close());

  async function save(value: string): Promise<number> {
    const published = t.app.pubsub.subscribe('configChanged', 'dev');
    try {
      const response = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: version, reason: 'resume', changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value }] } }, 'editor');
      const saved: number = expectData(response).updateConfig.version.version;
      // Published by the bridge before it is returned here.
      for (let event = await published.next(); event.value.version < saved; event = await published.next());
      expect(t.app.bridge.lastPublished('dev')).toBe(saved);
      return saved;
    } finally {
      await published.return?.();
    }
  }

  it('reads no backlog at the current version, and gets the next version live', async () => {
    const reads = backlogReads;
    const subscribers = t.app.pubsub.count('configChanged', 'dev');
    const resumed = subscribeWs(t.url, EVENTS, { env: 'dev', after: version }, (d) => d.configChanged.version as number);
    try {
      // Subscribed (and the backlog decided) before the next save commits.
      await until(() => t.app.pubsub.count('configChanged', 'dev') > subscribers);
      const next = await save('0.61');
      expect(await resumed.take(1)).toEqual([next]);
      expect(backlogReads).toBe(reads);
    } finally {
      await resumed.close();
    }
  });

  it('reads and replays the backlog when behind', async () => {
    const reads = backlogReads;
    const resumed = subscribeWs(t.url, EVENTS, { env: 'dev', after: version - 2 }, (d) => d.configChanged.version as number);
    try {
      expect(await resumed.take(2)).toEqual([version - 1, version]);
      expect(backlogReads).toBe(reads + 1);
    } finally {
      await resumed.close();
    }
  });
});
