import { readFile } from 'node:fs/promises';
import { composeServices as composeWithApollo } from '@apollo/composition';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { subgraphSchemaFile } from '../schema/schema-file.ts';
import { composeSupergraph } from './support/compose-supergraph.ts';
import { tradingSubgraphSdl } from './fixtures/trading-subgraph/start-trading-subgraph.ts';

// The platform's committed subgraph composes with the trading API's (test
// fixture) into the desk's supergraph: by GraphQL Hive's composition (what
// the gateway test runs on) and by Apollo's, without errors or hints.

describe('the desk\'s supergraph', () => {
  it('composes the platform with the trading API (GraphQL Hive\'s composition)', async () => {
    const platform = await readFile(subgraphSchemaFile, 'utf8');
    const supergraph = composeSupergraph([
      { name: 'platform', url: 'http://platform/subgraph', sdl: platform },
      { name: 'trading', url: 'http://trading/graphql', sdl: tradingSubgraphSdl },
    ]);
    // Run and Worker are the platform's entities, extended by the trading API.
    expect(supergraph).toContain('type Run implements Node @join__type(graph: PLATFORM, key: "id") @join__type(graph: TRADING, key: "id")');
    expect(supergraph).toContain('pnl: Pnl @join__field(graph: TRADING)');
    expect(supergraph).toContain('type Worker implements Node @join__type(graph: PLATFORM, key: "id") @join__type(graph: TRADING, key: "id")');
    expect(supergraph).toContain('openPositions(first: Int, after: String): PositionConnection! @join__field(graph: TRADING)');
    // The one value type both define, shared.
    expect(supergraph).toContain('type PageInfo @join__type(graph: PLATFORM) @join__type(graph: TRADING)');
    expect(supergraph).toContain('type ConfigVersion implements Node @join__type(graph: PLATFORM, key: "environment { name } version")');
    for (const [type, key] of [['Environment', 'name'], ['CatalogEntry', 'name'], ['ParameterSet', 'hash']]) {
      expect(supergraph).toContain(`type ${type} implements Node @join__type(graph: PLATFORM, key: "${key}")`);
    }
  });

  it('composes with Apollo\'s composition too, with no hints', async () => {
    const platform = await readFile(subgraphSchemaFile, 'utf8');
    const result = composeWithApollo([
      { name: 'platform', url: 'http://platform/subgraph', typeDefs: parse(platform) },
      { name: 'trading', url: 'http://trading/graphql', typeDefs: parse(tradingSubgraphSdl) },
    ]);
    expect(result.errors?.map((e) => e.message)).toBeUndefined();
    expect((result.hints ?? []).map((h) => `${h.definition.code}: ${h.message}`)).toEqual([]);
  });

  it('refuses a trading API that redefines a platform field without sharing it (the check is real)', async () => {
    const platform = await readFile(subgraphSchemaFile, 'utf8');
    const clash = tradingSubgraphSdl.replace('pnl: Pnl', 'pnl: Pnl\n  name: String!');
    expect(() => composeSupergraph([
      { name: 'platform', url: 'http://platform/subgraph', sdl: platform },
      { name: 'trading', url: 'http://trading/graphql', sdl: clash },
    ])).toThrow(/Run\.name/);
  });
});
