import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeSupergraph } from './support/compose-supergraph.ts';
import { createToken, freeze, startRun } from './support/lineage-fixtures.ts';
import { authorizationFor, errorCode, expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';
import { postGraphQL, subgraphQuery } from './support/subgraph-client.ts';
import { startTradingSubgraph, type TradingSubgraph } from './fixtures/trading-subgraph/start-trading-subgraph.ts';

// A real gateway (GraphQL Hive Gateway's runtime, in process) over the
// platform's subgraph and the trading API's, both on port 0, composed from
// what each subgraph's `_service { sdl }` answers. The gateway forwards the
// caller's Authorization header, and nothing else, to every subgraph
// (README, Federation): the platform judges each operation by it.

const RUN_ACROSS = `query ($id: ID!) {
  run(id: $id) {
    name
    pnl { realized unrealized currency }
    parameterSet { hash frozenFrom { version reason author { username } } }
    configVersion { version reason author { username } }
  }
}`;

describe('the desk\'s gateway over the platform and the trading API', () => {
  let t: TestApp;
  let trading: TradingSubgraph;
  let gateway: GatewayRuntime;
  let server: Server;
  let gatewayUrl: string;
  let run: string;
  let hash: string;
  let version: number;
  let devToken: string;

  const viaGateway = <T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, as: TestUser = 'viewer') =>
    postGraphQL<T>(`${gatewayUrl}/graphql`, query, variables, as);

  beforeAll(async () => {
    t = await startTestApp();
    devToken = await createToken(t, 'dev', 'dev-orchestrator');
    version = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`, {
      input: { environment: 'dev', expectedVersion: 1, reason: 'Tighter buy signal after the March review', changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: '0.63' }] },
    }, 'editor')).updateConfig.version.version;
    hash = await freeze(t, { environment: 'dev', version });
    run = await startRun(t, { kind: 'BACKTEST', name: 'defi_top5 backtest', parameterSetHash: hash });
    trading = await startTradingSubgraph({ pnl: new Map([[run, { realized: 1250.5, unrealized: -80.25, currency: 'USDC' }]]), positions: new Map() });
    // Composed from the live subgraphs, as a schema registry would.
    const platformSdl = expectData(await subgraphQuery(t.url, '{ _service { sdl } }', {}, 'viewer'))._service.sdl as string;
    const supergraph = composeSupergraph([
      { name: 'platform', url: `${t.url}/subgraph`, sdl: platformSdl },
      { name: 'trading', url: trading.url, sdl: trading.sdl },
    ]);
    gateway = createGatewayRuntime({
      supergraph,
      logging: false,
      propagateHeaders: {
        // The caller's credential, as it came: the platform authenticates and authorizes every hop.
        fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
      },
    });
    server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await gateway?.dispose();
    await trading?.close();
    await t?.close();
  });

  it('answers one query across both subgraphs: the run\'s lineage from the platform, its PnL from the trading API', async () => {
    const response = await viaGateway(RUN_ACROSS, { id: run }, 'viewer');
    console.info(`gateway answer: ${JSON.stringify(response)}`);
    const data = expectData(response);
    expect(data.run).toEqual({
      name: 'defi_top5 backtest',
      pnl: { realized: 1250.5, unrealized: -80.25, currency: 'USDC' },
      parameterSet: { hash, frozenFrom: { version, reason: 'Tighter buy signal after the March review', author: { username: 'editor' } } },
      configVersion: { version, reason: 'Tighter buy signal after the March review', author: { username: 'editor' } },
    });
    // The trading API got the caller's credential from the gateway.
    expect(trading.authorizations.at(-1)).toBe(authorizationFor('viewer'));
  });

  it('refuses what the caller\'s role may not read, with the platform\'s typed code, and asks anonymous callers to sign in', async () => {
    const forbidden = await viaGateway(`{ serviceTokens { name } }`, {}, 'viewer');
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.errors![0]!.message).toMatch(/role/);
    // As a direct query answers it.
    expect(errorCode(await t.gql(`{ serviceTokens { name } }`, {}, 'viewer'))).toBe('FORBIDDEN');

    const anonymous = await viaGateway(RUN_ACROSS, { id: run }, null);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data?.run ?? null).toBeNull();
  });

  it('gives a token of another environment no more than the platform would: a prod token does not see a dev run', async () => {
    const prodToken = await createToken(t, 'prod', 'prod-orchestrator');
    const response = await viaGateway(RUN_ACROSS, { id: run }, { token: prodToken });
    expect(response.errors).toBeUndefined();
    expect(response.data?.run).toBeNull();
    // Its own environment's runs it reads, across both subgraphs.
    expect(expectData(await viaGateway(`query ($id: ID!) { run(id: $id) { name pnl { realized } } }`, { id: run }, { token: devToken })).run).toEqual({ name: 'defi_top5 backtest', pnl: { realized: 1250.5 } });
  });

  it('holds the platform\'s limits behind the gateway', async () => {
    const tooBig = await viaGateway(`{ runs(first: 1000) { edges { node { name } } } }`, {}, 'viewer');
    expect(errorCode(tooBig)).toBe('LIMIT_EXCEEDED');
  });

  it('delivers every version of a burst through the gateway, in order (subscription to the subgraph over SSE)', async () => {
    const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
    const client = createSseClient({ url: `${gatewayUrl}/graphql`, headers: { authorization: authorizationFor('viewer')! }, retryAttempts: 0 });
    const received: number[] = [];
    const burst = 5;
    try {
      // /subgraph has no WebSocket: the gateway streams the subscription from it over SSE (yoga's).
      // afterVersion: versions committed before the subscription reaches the platform are replayed, so no race.
      const iterator = client.iterate<{ configChanged: { version: number; environment: string; author: string } }>({
        query: `subscription ($after: Int) { configChanged(environment: "dev", afterVersion: $after) { version environment author } }`,
        variables: { after: activeVersion },
      });
      const done = (async () => {
        for await (const result of iterator) {
          if (result.errors) throw new Error(JSON.stringify(result.errors));
          received.push(result.data!.configChanged.version);
          if (received.length === burst) break;
        }
      })();
      let expected = activeVersion;
      for (let i = 0; i < burst; i += 1) {
        expected = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { version { version } } }`, {
          input: { environment: 'dev', expectedVersion: expected, reason: `burst ${i}`, changes: [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: i % 2 ? '0.61' : '0.62' }] },
        }, 'editor')).updateConfig.version.version;
      }
      await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(received)}`)), 15_000).unref())]);
      expect(received).toEqual(Array.from({ length: burst }, (_, i) => activeVersion + 1 + i));
    } finally {
      client.dispose();
    }
  });
});
