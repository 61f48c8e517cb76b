import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PTE_DEPRECATED_ENVELOPE, PTE_ENVELOPES } from '../prisma/seed/base-pipeline-catalog.ts';
import { authorizationFor, errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp, type TestUser } from './support/start-test-app.ts';

// Issue 12: the FTF grid comes from the catalog. Its variants are exactly
// what freezing accepts as factors (one definition, factor-variant.ts), and a
// catalog edit changes the next grid with no release.

const GRID = `query ($environment: String!, $factors: [String!]!) {
  ftfGrid(environment: $environment, factors: $factors) {
    environment version catalogVersion
    factors { name type baseValue kind variants validator searchSpace { min max scale integer source } }
  }
}`;
const FREEZE = `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash } } }`;
const UPDATE_ENTRY = `mutation ($input: UpdateCatalogEntryInput!) { updateCatalogEntry(input: $input) { revision allowedValues } }`;
const UPDATE_CONFIG = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }`;
const CREATE_TOKEN = `mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`;

const code = { commit: '0123456789abcdef0123456789abcdef01234567', packages: [{ name: 'xgboost', version: '2.0.3' }] };
const LR = 'CVN_HPO_XGBOOST_5M_LEARNING_RATE';

interface GridFactor {
  name: string; type: string; baseValue: string | null; kind: 'VALUES' | 'RANGE' | 'OPEN'; variants: string[]; validator: string | null;
  searchSpace: { min: number | null; max: number | null; scale: string; integer: boolean; source: string } | null;
}
type Violations = { code: string; parameter?: string; field?: string }[];
const violations = (r: GraphQLResponse) => (r.errors?.[0]?.extensions?.violations ?? []) as Violations;

describe('the FTF grid comes from the catalog', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp(); });
  afterAll(() => t.close());

  const grid = (factors: string[], as: TestUser = 'viewer', environment = 'dev') => t.gql(GRID, { environment, factors }, as);
  const factorsOf = async (names: string[]) => expectData(await grid(names)).ftfGrid.factors as GridFactor[];
  const freeze = (factors: Record<string, string>) =>
    t.gql(FREEZE, { input: { environment: 'dev', experimentalFactors: Object.entries(factors).map(([name, variant]) => ({ name, variant })), code } }, 'editor');
  const activeVersion = async () => expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion as number;
  const save = async (changes: Record<string, string>) => expectData(await t.gql(UPDATE_CONFIG, {
    input: { environment: 'dev', expectedVersion: await activeVersion(), reason: 'narrow the sweep', changes: Object.entries(changes).map(([name, value]) => ({ name, value })) },
  }));
  const revision = async (name: string) => (await t.sql.query<{ revision: number }>('SELECT revision FROM variable_catalog WHERE name = $1', [name])).rows[0]!.revision;

  it("lists each factor's variants: an enum's allowed values minus its deprecated ones, a bool's two, a numeric's search space", async () => {
    const [envelope, cusum, lr, atr, resamples] = await factorsOf(['CVN_PTE_ENVELOPE', 'CVN_CUSUM_ENABLED', LR, 'CVN_ATR_PERIOD', 'CVN_DATA_MTF_RESAMPLES']);
    expect(envelope).toMatchObject({ kind: 'VALUES', variants: [...Object.keys(PTE_ENVELOPES), 'CUSTOM'], searchSpace: null, baseValue: 'ATR0.5_1.5_H4' });
    expect(envelope!.variants).not.toContain(PTE_DEPRECATED_ENVELOPE);
    expect(cusum).toMatchObject({ kind: 'VALUES', variants: ['true', 'false'] });
    // S17: the RANGE_MIN / RANGE_MAX / RANGE_SCALE triple in the environment's values.
    expect(lr).toMatchObject({ kind: 'RANGE', variants: [], searchSpace: { min: 0.005, max: 0.3, scale: 'LOG', integer: false, source: 'RANGE_TRIPLE' } });
    // No triple: the bounds.
    expect(atr).toMatchObject({ kind: 'RANGE', searchSpace: { min: 2, max: 200, scale: 'LINEAR', integer: true, source: 'BOUNDS' } });
    expect(resamples).toMatchObject({ kind: 'OPEN', variants: [], searchSpace: null, validator: expect.stringContaining('matches') });
  });

  it('every variant of the grid freezes; what lies outside it is refused', async () => {
    const [sampler, cusum, envelope, lr, atr] = await factorsOf(['CVN_HPO_SAMPLER', 'CVN_CUSUM_ENABLED', 'CVN_PTE_ENVELOPE', LR, 'CVN_ATR_PERIOD']);
    for (const variant of [...sampler!.variants, ...cusum!.variants.map(String)]) {
      const name = sampler!.variants.includes(variant) ? 'CVN_HPO_SAMPLER' : 'CVN_CUSUM_ENABLED';
      expectData(await freeze({ [name]: variant }));
    }
    // An envelope is frozen with its multiples: the cross-parameter rule judges the combination.
    for (const variant of envelope!.variants) {
      const m = PTE_ENVELOPES[variant];
      expectData(await freeze(m ? { CVN_PTE_ENVELOPE: variant, CVN_PTE_SL_MULT: String(m.slMult), CVN_PTE_TP_MULT: String(m.tpMult), CVN_PTE_HORIZON_BARS: String(m.horizonBars) } : { CVN_PTE_ENVELOPE: variant }));
    }
    for (const space of [lr!.searchSpace!, atr!.searchSpace!]) {
      const name = space === lr!.searchSpace ? LR : 'CVN_ATR_PERIOD';
      for (const value of [space.min!, space.max!, space.integer ? Math.round((space.min! + space.max!) / 2) : (space.min! + space.max!) / 2]) {
        expectData(await freeze({ [name]: String(value) }));
      }
    }

    // Outside the grid, freezing refuses, with the codes the grid's own refusals use.
    const deprecated = await freeze({ CVN_PTE_ENVELOPE: PTE_DEPRECATED_ENVELOPE });
    expect(errorCode(deprecated)).toBe('DEPRECATED');
    expect(violations(deprecated)).toContainEqual(expect.objectContaining({ code: 'DEPRECATED_VALUE', parameter: 'CVN_PTE_ENVELOPE', field: 'factors' }));
    expect(violations(await freeze({ CVN_HPO_SAMPLER: 'grid' }))).toContainEqual(expect.objectContaining({ code: 'NOT_ALLOWED', parameter: 'CVN_HPO_SAMPLER' }));
    // Inside the bounds (0.001..1) but outside the environment's search range: refused too.
    const wide = await freeze({ [LR]: '0.5' });
    expect(errorCode(wide)).toBe('VALIDATION_FAILED');
    expect(violations(wide)).toEqual([expect.objectContaining({ code: 'OUT_OF_RANGE', parameter: LR, field: 'factors' })]);
    expect(violations(await freeze({ CVN_ATR_PERIOD: '201' }))).toContainEqual(expect.objectContaining({ code: 'OUT_OF_RANGE', parameter: 'CVN_ATR_PERIOD' }));

    for (const [name, code, violation] of [
      ['CVN_NO_SUCH_PARAMETER', 'VALIDATION_FAILED', 'UNKNOWN_PARAMETER'],
      ['CVN_EXEC_HALT_NEW_ENTRIES', 'VALIDATION_FAILED', 'NOT_ALLOWED'], // excluded_from_ftf
      ['CVN_RSI_WINDOW', 'DEPRECATED', 'DEPRECATED_PARAMETER'],
    ] as const) {
      const refusedGrid = await grid(['CVN_HPO_SAMPLER', name]);
      const refusedFreeze = await freeze({ [name]: '14' });
      expect([errorCode(refusedGrid), errorCode(refusedFreeze)]).toEqual([code, code]);
      expect(violations(refusedGrid)).toEqual([expect.objectContaining({ code: violation, parameter: name, field: 'factors' })]);
      expect(violations(refusedFreeze)).toContainEqual(expect.objectContaining({ code: violation, parameter: name, field: 'factors' }));
    }
  });

  it('a catalog edit changes the next grid, and freezing follows, with no release', async () => {
    const before = expectData(await grid(['CVN_HPO_SAMPLER'])).ftfGrid;
    expect(before.factors[0].variants).toEqual(['tpe', 'random', 'cmaes', 'qmc']);
    expect(errorCode(await freeze({ CVN_HPO_SAMPLER: 'grid' }))).toBe('VALIDATION_FAILED');

    // An admin widens the allowed values ...
    expectData(await t.gql(UPDATE_ENTRY, { input: {
      name: 'CVN_HPO_SAMPLER', expectedRevision: await revision('CVN_HPO_SAMPLER'), reason: 'sweep the grid sampler too', allowedValues: ['tpe', 'random', 'cmaes', 'qmc', 'grid'],
    } }));
    const widened = expectData(await grid(['CVN_HPO_SAMPLER'])).ftfGrid;
    expect(widened.factors[0].variants).toEqual(['tpe', 'random', 'cmaes', 'qmc', 'grid']);
    expect(widened.catalogVersion).toBeGreaterThan(before.catalogVersion);
    expectData(await freeze({ CVN_HPO_SAMPLER: 'grid' }));

    // ... then deprecates one: gone from the grid, refused by freezing.
    expectData(await t.gql(UPDATE_ENTRY, { input: {
      name: 'CVN_HPO_SAMPLER', expectedRevision: await revision('CVN_HPO_SAMPLER'), reason: 'random search wastes trials',
      allowedValues: ['tpe', 'cmaes', 'qmc', 'grid'],
      deprecatedValues: [{ value: 'random', reason: 'Random search wasted half the trials of sweep #12; use tpe.' }],
    } }));
    expect((await factorsOf(['CVN_HPO_SAMPLER']))[0]!.variants).toEqual(['tpe', 'cmaes', 'qmc', 'grid']);
    expect(errorCode(await freeze({ CVN_HPO_SAMPLER: 'random' }))).toBe('DEPRECATED');

    // Narrowing an HPO range is a save of the environment's RANGE_MAX.
    await save({ [`${LR}_RANGE_MAX`]: '0.1' });
    const narrowed = expectData(await grid([LR])).ftfGrid;
    expect(narrowed.factors[0].searchSpace).toMatchObject({ min: 0.005, max: 0.1 });
    expect(narrowed.version).toBe(await activeVersion());
    expect(violations(await freeze({ [LR]: '0.2' }))).toEqual([expect.objectContaining({ code: 'OUT_OF_RANGE', parameter: LR })]);
    expectData(await freeze({ [LR]: '0.1' }));
  });

  it('says for each parameter whether and how it takes part in sweeps, without refusing (the catalog admin page)', async () => {
    const PARTICIPATION = `query ($parameters: [String!]!) { ftfParticipation(environment: "dev", parameters: $parameters) { name factor { kind variants } refusals { code } } }`;
    const answer = expectData(await t.gql(PARTICIPATION, { parameters: ['CVN_CUSUM_ENABLED', 'CVN_EXEC_HALT_NEW_ENTRIES', 'CVN_RSI_WINDOW', 'CVN_NO_SUCH_PARAMETER'] }, 'viewer')).ftfParticipation;
    expect(answer).toEqual([
      { name: 'CVN_CUSUM_ENABLED', factor: { kind: 'VALUES', variants: ['true', 'false'] }, refusals: [] },
      { name: 'CVN_EXEC_HALT_NEW_ENTRIES', factor: null, refusals: [{ code: 'NOT_ALLOWED' }] },
      { name: 'CVN_RSI_WINDOW', factor: null, refusals: [{ code: 'DEPRECATED_PARAMETER' }] },
      { name: 'CVN_NO_SUCH_PARAMETER', factor: null, refusals: [{ code: 'UNKNOWN_PARAMETER' }] },
    ]);
    expect(errorCode(await t.gql(PARTICIPATION, { parameters: Array.from({ length: 101 }, (_, i) => `CVN_X_${i}`) }, 'viewer'))).toBe('LIMIT_EXCEEDED');
  });

  it('refuses what is not a grid question, with typed errors', async () => {
    expect(errorCode(await grid(['CVN_HPO_SAMPLER'], null))).toBe('UNAUTHENTICATED');
    expect(errorCode(await grid(['CVN_HPO_SAMPLER'], 'viewer', 'nowhere'))).toBe('NOT_FOUND');
    expect(errorCode(await grid(['CVN_HPO_SAMPLER', 'CVN_HPO_SAMPLER']))).toBe('BAD_REQUEST');
    const many = await grid(Array.from({ length: 101 }, (_, i) => `CVN_X_${i}`));
    expect(errorCode(many)).toBe('LIMIT_EXCEEDED');
    expect(many.errors![0]!.extensions).toMatchObject({ limit: 'listLength', max: 100, found: 101 });
    // A token reads its own environment's grid only.
    const token = expectData(await t.gql(CREATE_TOKEN, { input: { environment: 'staging', name: 'ftf-staging' } })).createServiceToken.token as string;
    expect(expectData(await grid(['CVN_HPO_SAMPLER'], { token }, 'staging')).ftfGrid.environment).toBe('staging');
    expect(errorCode(await grid(['CVN_HPO_SAMPLER'], { token }, 'dev'))).toBe('FORBIDDEN');
  });

  describe('GET /api/ftf-grid, for a Python caller', () => {
    const get = async (query: string, as: TestUser, init: RequestInit = {}) => {
      const authorization = authorizationFor(as);
      const response = await fetch(`${t.url}/api/ftf-grid?${query}`, { ...init, headers: authorization ? { authorization } : {} });
      return { status: response.status, body: await response.json() as Record<string, any> };
    };

    it('answers what the GraphQL query answers, with a service token or Basic', async () => {
      const token = expectData(await t.gql(CREATE_TOKEN, { input: { environment: 'dev', name: 'ftf-python' } })).createServiceToken.token as string;
      const names = ['CVN_PTE_ENVELOPE', 'CVN_CUSUM_ENABLED', LR, 'CVN_DATA_MTF_RESAMPLES'];
      const query = `environment=dev&${names.map((n) => `factor=${n}`).join('&')}`;
      const graphql = expectData(await grid(names)).ftfGrid;
      for (const as of [{ token }, 'viewer'] as const) {
        const { status, body } = await get(query, as);
        expect(status).toBe(200);
        expect(body).toEqual(graphql);
      }
    });

    it("refuses with the error table's codes and statuses as JSON", async () => {
      const staging = expectData(await t.gql(CREATE_TOKEN, { input: { environment: 'staging', name: 'ftf-python-staging' } })).createServiceToken.token as string;
      const cases: [string, TestUser, number, string][] = [
        ['environment=dev&factor=CVN_HPO_SAMPLER', null, 401, 'UNAUTHENTICATED'],
        ['environment=dev&factor=CVN_HPO_SAMPLER', { token: staging }, 403, 'FORBIDDEN'],
        ['environment=dev&factor=CVN_HPO_SAMPLER', { authorization: 'Basic bm9ib2R5Ondyb25n' }, 401, 'UNAUTHENTICATED'],
        ['factor=CVN_HPO_SAMPLER', 'viewer', 400, 'BAD_REQUEST'],
        ['environment=nowhere&factor=CVN_HPO_SAMPLER', 'viewer', 404, 'NOT_FOUND'],
        [`environment=dev&${Array.from({ length: 101 }, (_, i) => `factor=CVN_X_${i}`).join('&')}`, 'viewer', 413, 'LIMIT_EXCEEDED'],
      ];
      for (const [query, as, status, code] of cases) {
        const answer = await get(query, as);
        expect([answer.status, answer.body.error?.code]).toEqual([status, code]);
      }
      const excluded = await get('environment=dev&factor=CVN_EXEC_HALT_NEW_ENTRIES&factor=CVN_RSI_WINDOW', 'viewer');
      expect(excluded.body.error).toMatchObject({ code: 'DEPRECATED', violations: [{ code: 'NOT_ALLOWED', parameter: 'CVN_EXEC_HALT_NEW_ENTRIES' }, { code: 'DEPRECATED_PARAMETER', parameter: 'CVN_RSI_WINDOW' }] });
      const post = await fetch(`${t.url}/api/ftf-grid?environment=dev`, { method: 'POST', headers: { authorization: authorizationFor('viewer')! } });
      expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
      await post.body?.cancel();
    });
  });
});
