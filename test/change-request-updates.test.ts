import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../server/auth/index.ts';
import { createChangeRequestReads } from '../server/features/approvals/index.ts';
import type { PrismaClient } from '../server/generated/prisma/client.ts';
import { createAppPubSub, type ChangeRequestUpdatedEvent } from '../server/realtime/pubsub.ts';
import { expectData, startTestApp, type TestApp } from './support/start-test-app.ts';
import { subscribeWs, type Subscription } from './support/subscription-clients.ts';

const operator: Viewer = { kind: 'user', userId: 'u1', username: 'viewer', displayName: 'Viewer', role: 'VIEWER', via: 'basic' };
const tokenOf = (environmentId: string, environmentName: string): Viewer => ({ kind: 'service', tokenId: 't1', name: 'grafana', environmentId, environmentName });

/** A client that fails the test on any use: the filter must decide from the event alone. */
const noDatabase = new Proxy({}, { get: (_target, property) => { throw new Error(`the filter touched the database (${String(property)})`); } }) as PrismaClient;

describe('changeRequestUpdated: filtered by environment and permission from the event itself', () => {
  it('keeps what the viewer may read, of the named environment, without a query', async () => {
    const pubsub = createAppPubSub();
    const reads = createChangeRequestReads({ prisma: noDatabase, pubsub });
    const devToken = reads.subscribeUpdates(tokenOf('e-dev', 'dev'));
    const prodOnly = reads.subscribeUpdates(operator, 'prod');
    const everything = reads.subscribeUpdates(operator);
    const events: ChangeRequestUpdatedEvent[] = [
      { id: 'cr1', environmentId: 'e-prod', environment: 'prod' },
      { id: 'cr2', environmentId: 'e-dev', environment: 'dev' },
      { id: 'cr3', environmentId: 'e-prod', environment: 'prod' },
    ];
    for (const event of events) pubsub.publish('changeRequestUpdated', event);

    expect((await devToken.next()).value.id).toBe('cr2');
    expect((await prodOnly.next()).value.id).toBe('cr1');
    expect((await prodOnly.next()).value.id).toBe('cr3');
    expect([(await everything.next()).value.id, (await everything.next()).value.id, (await everything.next()).value.id]).toEqual(['cr1', 'cr2', 'cr3']);
    await Promise.all([devToken.return!(), prodOnly.return!(), everything.return!()]);
    expect(pubsub.count('changeRequestUpdated')).toBe(0);
  });

  describe('over the wire', () => {
    let t: TestApp;
    let prodId: string;
    let devToken: string;
    const opened: Subscription<{ id: string; environment: { name: string } }>[] = [];

    beforeAll(async () => {
      t = await startTestApp();
      prodId = (await t.sql.query(`SELECT id::text FROM environments WHERE name = 'prod'`)).rows[0].id;
      devToken = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "cr-watch" }) { token } }`)).createServiceToken.token;
    });
    afterAll(async () => {
      await Promise.all(opened.map((subscription) => subscription.close()));
      await t?.close();
    });

    async function submit(environment: string, value: string): Promise<string> {
      const base = expectData(await t.gql(`query($e: String!) { environment(name: $e) { activeVersion } }`, { e: environment })).environment.activeVersion;
      const response = await t.gql(`mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { changeRequest { id } } }`, {
        input: { environment, expectedVersion: base, reason: 'watch the queue', submitForApproval: true, changes: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value }] },
      }, 'editor');
      return expectData(response).updateConfig.changeRequest.id;
    }

    it('publishes each change request with its environment, straight from the notification', async () => {
      const events = t.app.pubsub.subscribe('changeRequestUpdated');
      const { id } = decodeGlobalID(await submit('prod', '4'));
      expect((await events.next()).value).toEqual({ id, environmentId: prodId, environment: 'prod' });
      await events.return!();
    });

    it('sends a service token only its own environment\'s requests, and an environment filter only that one\'s', async () => {
      const query = `subscription($e: String) { changeRequestUpdated(environment: $e) { id environment { name } } }`;
      const pick = (data: any) => data.changeRequestUpdated;
      const before = t.app.pubsub.count('changeRequestUpdated');
      const asDevToken = subscribeWs(t.url, query, {}, pick, { token: devToken });
      const prodForOperator = subscribeWs(t.url, query, { e: 'prod' }, pick, 'viewer');
      opened.push(asDevToken, prodForOperator);
      // Subscriptions are not acknowledged: wait until both listen on the pubsub.
      const deadline = Date.now() + 10_000;
      while (t.app.pubsub.count('changeRequestUpdated') < before + 2) {
        if (Date.now() > deadline) throw new Error('the subscriptions never started');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      const onProd = await submit('prod', '5');
      const onDev = await submit('dev', '5');
      // Each stream's first event is its own: the other one was filtered out, in order.
      expect(await prodForOperator.take(1)).toEqual([{ id: onProd, environment: { name: 'prod' } }]);
      expect(await asDevToken.take(1)).toEqual([{ id: onDev, environment: { name: 'dev' } }]);
    });
  });
});
