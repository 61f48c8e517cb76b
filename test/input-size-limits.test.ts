import { getNamedType, isInputObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.ts';
import { readSettings } from '../server/settings.ts';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp } from './support/start-test-app.ts';

// Issue 9: a 10 MiB value the validator accepted was saved, and every later
// version copied it into the append-only tables. Values (a global ceiling,
// overridable per parameter in the catalog), run metadata and every JSON
// input have size and depth limits, refused with VALIDATION_FAILED.

const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } } }`;
const CREATE_ENTRY = `mutation ($input: CreateCatalogEntryInput!) { createCatalogEntry(input: $input) { name maxLength revision } }`;
const UPDATE_ENTRY = `mutation ($input: UpdateCatalogEntryInput!) { updateCatalogEntry(input: $input) { name maxLength revision } }`;
const CREATE_SET = `mutation ($input: CreateParameterSetInput!) { createParameterSet(input: $input) { parameterSet { hash } } }`;
const CREATE_RUN = `mutation ($input: CreateRunInput!) { createRun(input: $input) { id metadata } }`;

/** { a: { a: … { a: 1 } } }, `depth` objects deep. */
const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: nested(depth - 1) });

function violations(response: GraphQLResponse) {
  expect(errorCode(response)).toBe('VALIDATION_FAILED');
  return response.errors![0]!.extensions!.violations as { code: string; field?: string; parameter?: string; message: string }[];
}

describe('input size limits', () => {
  let t: TestApp;
  let version: number;
  beforeAll(async () => {
    t = await startTestApp();
    version = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
  });
  afterAll(() => t.close());

  const save = async (name: string, value: string) => {
    const response = await t.gql(UPDATE, { input: { environment: 'dev', expectedVersion: version, reason: 'value size limits', changes: [{ name, value }] } }, 'editor');
    if (!response.errors) version = response.data!.updateConfig.version.version;
    return response;
  };

  describe('parameter values', () => {
    it('refuses a value over the global ceiling (4,096 characters) with TOO_LARGE, naming the parameter', async () => {
      expectData(await t.gql(CREATE_ENTRY, { input: {
        name: 'CVN_TEST_FREE_TEXT', type: 'STRING', required: false, description: 'A note for the size tests.', group: 'Tests', category: 'EXECUTION', reason: 'size tests',
      } }));
      expect(violations(await save('CVN_TEST_FREE_TEXT', 'a'.repeat(4097)))).toEqual([
        expect.objectContaining({ code: 'TOO_LARGE', parameter: 'CVN_TEST_FREE_TEXT', message: 'CVN_TEST_FREE_TEXT takes at most 4096 characters; got 4097.' }),
      ]);
      expectData(await save('CVN_TEST_FREE_TEXT', 'a'.repeat(4096)));
    });

    it('holds a parameter to its own maxLength, above or below the ceiling, and refuses a maxLength that strands a live value', async () => {
      const created = expectData(await t.gql(CREATE_ENTRY, { input: {
        name: 'CVN_TEST_LONG_TEXT', type: 'STRING', required: false, description: 'A long note.', group: 'Tests', category: 'EXECUTION', maxLength: 8192, reason: 'size tests',
      } })).createCatalogEntry;
      expect(created.maxLength).toBe(8192);
      expectData(await save('CVN_TEST_LONG_TEXT', 'b'.repeat(5000)));
      expect(violations(await save('CVN_TEST_LONG_TEXT', 'b'.repeat(8193)))[0]).toMatchObject({ code: 'TOO_LARGE', parameter: 'CVN_TEST_LONG_TEXT' });

      // Tightening below what dev holds would strand dev's value.
      const stranding = await t.gql(UPDATE_ENTRY, { input: { name: 'CVN_TEST_LONG_TEXT', expectedRevision: 1, maxLength: 16, reason: 'tighter' } });
      expect(violations(stranding)).toEqual([expect.objectContaining({ code: 'TOO_LARGE', parameter: 'CVN_TEST_LONG_TEXT', environment: 'dev' })]);
      expectData(await save('CVN_TEST_LONG_TEXT', 'short'));
      const tightened = expectData(await t.gql(UPDATE_ENTRY, { input: { name: 'CVN_TEST_LONG_TEXT', expectedRevision: 1, maxLength: 16, reason: 'tighter' } })).updateCatalogEntry;
      expect(tightened).toMatchObject({ maxLength: 16, revision: 2 });
      expect(violations(await save('CVN_TEST_LONG_TEXT', 'c'.repeat(17)))[0]).toMatchObject({ code: 'TOO_LARGE', message: 'CVN_TEST_LONG_TEXT takes at most 16 characters; got 17.' });
      expectData(await save('CVN_TEST_LONG_TEXT', 'c'.repeat(16)));

      // The history keeps the field like every other definition field.
      const history = await t.sql.query(`SELECT snapshot->'maxLength' AS max_length FROM variable_catalog_history WHERE parameter_name = 'CVN_TEST_LONG_TEXT' ORDER BY revision`);
      expect(history.rows.map((r) => r.max_length)).toEqual([8192, 16]);
      // null clears the override: the global ceiling again.
      const cleared = expectData(await t.gql(UPDATE_ENTRY, { input: { name: 'CVN_TEST_LONG_TEXT', expectedRevision: 2, maxLength: null, reason: 'back to the ceiling' } })).updateCatalogEntry;
      expect(cleared.maxLength).toBeNull();
    });

    it('refuses a maxLength outside 1 to 1,048,576 and an allowed value longer than the limit', async () => {
      for (const maxLength of [0, 1_048_577]) {
        const refused = await t.gql(CREATE_ENTRY, { input: { name: 'CVN_TEST_BAD_LIMIT', type: 'STRING', description: 'x', group: 'Tests', category: 'EXECUTION', maxLength, reason: 'size tests' } });
        expect(violations(refused)).toEqual([expect.objectContaining({ field: 'maxLength' })]);
      }
      const enumTooLong = await t.gql(CREATE_ENTRY, { input: {
        name: 'CVN_TEST_BAD_ENUM', type: 'ENUM', allowedValues: ['SHORT', 'MUCH_TOO_LONG'], defaultValue: 'SHORT', maxLength: 5,
        description: 'x', group: 'Tests', category: 'EXECUTION', reason: 'size tests',
      } });
      expect(violations(enumTooLong)).toEqual([expect.objectContaining({ code: 'TOO_LARGE', field: 'allowedValues' })]);
      const check = expectData(await t.gql(`query ($input: CheckCatalogEntryInput!) { checkCatalogEntry(input: $input) { code field } }`, { input: {
        mode: 'CREATE', name: 'CVN_TEST_BAD_DEFAULT', type: 'STRING', defaultValue: 'too long for four', maxLength: 4, description: 'x', group: 'Tests', category: 'EXECUTION',
      } })).checkCatalogEntry;
      expect(check).toEqual([{ code: 'TOO_LARGE', field: 'defaultValue' }]);
    });

    it('takes its ceiling from MAX_VALUE_LENGTH', async () => {
      expect(readSettings({}).MAX_VALUE_LENGTH).toBe(4096);
      expect(readSettings({ MAX_VALUE_LENGTH: '100' }).MAX_VALUE_LENGTH).toBe(100);
      expect(() => readSettings({ MAX_VALUE_LENGTH: '0' })).toThrow(/MAX_VALUE_LENGTH/);
      const small = await startTestApp({ options: { limits: { maxValueLength: 10 } } });
      try {
        const refused = await small.gql(UPDATE, { input: { environment: 'dev', expectedVersion: 1, reason: 'a smaller ceiling', changes: [{ name: 'CVN_EXEC_SYMBOLS', value: 'BTCUSDC,ETHUSDC' }] } }, 'editor');
        expect(violations(refused)).toEqual([expect.objectContaining({ code: 'TOO_LARGE', parameter: 'CVN_EXEC_SYMBOLS' })]);
      } finally {
        await small.close();
      }
    });
  });

  describe('JSON inputs', () => {
    let hash: string;
    beforeAll(async () => {
      hash = expectData(await t.gql(CREATE_SET, { input: { environment: 'dev', code: { commit: 'd4'.repeat(20) } } }, 'editor')).createParameterSet.parameterSet.hash;
    });

    it('refuses run metadata over 64 KiB or nested deeper than 16 levels, naming the field', async () => {
      const big = { blob: 'x'.repeat(70 * 1024) };
      const tooBig = await t.gql(CREATE_RUN, { input: { kind: 'BACKTEST', name: 'big metadata', parameterSetHash: hash, metadata: big } }, 'editor');
      expect(violations(tooBig)).toEqual([{ code: 'TOO_LARGE', field: 'metadata', message: expect.stringMatching(/^metadata is \d+ bytes of JSON; at most 65536 are accepted\.$/) }]);
      const tooDeep = await t.gql(CREATE_RUN, { input: { kind: 'BACKTEST', name: 'deep metadata', parameterSetHash: hash, metadata: nested(17) } }, 'editor');
      expect(violations(tooDeep)).toEqual([{ code: 'TOO_LARGE', field: 'metadata', message: 'metadata nests deeper than 16 levels.' }]);
      const fits = expectData(await t.gql(CREATE_RUN, { input: { kind: 'BACKTEST', name: 'fits', parameterSetHash: hash, metadata: nested(16) } }, 'editor')).createRun;
      expect(fits.metadata).toEqual(nested(16));
      const runs = await t.sql.query(`SELECT count(*)::int AS n FROM runs WHERE name IN ('big metadata', 'deep metadata')`);
      expect(runs.rows[0].n).toBe(0);
    });

    it('refuses factors and code versions over the limits, naming the field', async () => {
      const factors = await t.gql(CREATE_SET, { input: { environment: 'dev', factors: { blob: 'y'.repeat(70 * 1024) }, codeVersion: { git: 'x' } } }, 'editor');
      expect(violations(factors)).toEqual([expect.objectContaining({ code: 'TOO_LARGE', field: 'factors' })]);
      const codeVersion = await t.gql(CREATE_SET, { input: { environment: 'dev', codeVersion: { git: 'x', deep: nested(20) } } }, 'editor');
      expect(violations(codeVersion)).toEqual([expect.objectContaining({ code: 'TOO_LARGE', field: 'codeVersion' })]);
    });

    it('knows every JSON input of the schema: a new one fails here until it has limits', () => {
      const jsonInputs: string[] = [];
      for (const type of Object.values(buildSchema().getTypeMap())) {
        if (!isInputObjectType(type) || type.name.startsWith('__')) continue;
        for (const field of Object.values(type.getFields())) {
          if (getNamedType(field.type).name === 'JSON') jsonInputs.push(`${type.name}.${field.name}`);
        }
      }
      // Each is checked by assertJsonWithinLimits (server/features/parameter-sets/): the tests above;
      // a session's metadata goes through the same run registration as createRun's.
      expect(jsonInputs.sort()).toEqual(['CreateParameterSetInput.codeVersion', 'CreateParameterSetInput.factors', 'CreateRunInput.metadata', 'StartSessionInput.metadata']);
    });
  });
});
