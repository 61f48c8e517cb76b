import { describe, expect, it } from 'vitest';
import { ConfigSnapshot, decodeValue, findProblems, type CatalogEntryInfo } from '../src/config-snapshot.ts';
import { InvalidParameterError, UndeclaredParameterError } from '../src/errors.ts';

const entry = (name: string, fields: Partial<CatalogEntryInfo>): CatalogEntryInfo => ({
  name, type: 'STRING', category: 'THRESHOLD', hotReloadable: true, deprecated: false, replacement: null, allowedValues: [], minValue: null, maxValue: null, ...fields,
});
const catalog = new Map<string, CatalogEntryInfo>([
  ['BUY', entry('BUY', { type: 'FLOAT', minValue: 0, maxValue: 1 })],
  ['PERIOD', entry('PERIOD', { type: 'INT', minValue: 2, maxValue: 100 })],
  ['ENABLED', entry('ENABLED', { type: 'BOOL', category: 'FILTER_FLAG' })],
  ['SIZING', entry('SIZING', { type: 'ENUM', allowedValues: ['fixed', 'kelly'], category: 'RISK_LIMIT' })],
  ['OLD', entry('OLD', { type: 'INT', deprecated: true, replacement: 'PERIOD' })],
]);
const values = { BUY: '0.55', PERIOD: '14', ENABLED: 'true', SIZING: 'kelly', OLD: '3', OTHER: 'x' };

describe('config snapshot', () => {
  const snapshot = new ConfigSnapshot({ version: 7, consumes: ['BUY', 'PERIOD', 'ENABLED', 'SIZING'] as const, catalog, values });

  it('types values by the catalog: number, boolean, enum string', () => {
    expect(snapshot.get('BUY')).toBe(0.55);
    expect(snapshot.get('PERIOD')).toBe(14);
    expect(snapshot.get('ENABLED')).toBe(true);
    expect(snapshot.get('SIZING')).toBe('kelly');
    expect(snapshot.getNumber('BUY')).toBe(0.55);
    expect(snapshot.getBoolean('ENABLED')).toBe(true);
    expect(snapshot.getString('SIZING')).toBe('kelly');
    expect(() => snapshot.getBoolean('BUY')).toThrow(InvalidParameterError);
  });

  it('is frozen and version-tagged; keeps only declared names', () => {
    expect(snapshot.version).toBe(7);
    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.values)).toBe(true);
    expect(Object.keys(snapshot.values).sort()).toEqual(['BUY', 'ENABLED', 'PERIOD', 'SIZING']);
    expect(() => {
      (snapshot as { version: number }).version = 8;
    }).toThrow(TypeError);
  });

  it('reading an undeclared name throws, even when the environment has it', () => {
    // @ts-expect-error OTHER is not declared: a compile error as well
    expect(() => snapshot.get('OTHER')).toThrow(UndeclaredParameterError);
    expect(snapshot.has('OTHER')).toBe(false);
  });

  it('with() makes a new snapshot and leaves the old one untouched', () => {
    const next = snapshot.with(8, new Map([['BUY', '0.6']]));
    expect(next.version).toBe(8);
    expect(next.get('BUY')).toBe(0.6);
    expect(snapshot.get('BUY')).toBe(0.55);
  });

  it('with() reads as a snapshot built from the merged values would: unchanged values carried, undeclared names dropped', () => {
    const next = snapshot.with(9, new Map([['PERIOD', '20'], ['OTHER', 'y'], ['SIZING', 'martingale']]));
    const built = new ConfigSnapshot({ version: 9, consumes: ['BUY', 'PERIOD', 'ENABLED', 'SIZING'] as const, catalog, values: { ...values, PERIOD: '20', OTHER: 'y', SIZING: 'martingale' } });
    expect(next.values).toEqual(built.values);
    expect(Object.isFrozen(next) && Object.isFrozen(next.values)).toBe(true);
    expect(next.names).toEqual(built.names);
    for (const name of ['BUY', 'PERIOD', 'ENABLED'] as const) expect(next.get(name)).toEqual(built.get(name));
    // Reads check the type only: a value outside the allowed ones is still the value in force.
    expect(() => next.get('SIZING')).not.toThrow();
    expect(next.has('SIZING')).toBe(built.has('SIZING'));
    // @ts-expect-error OTHER is not declared
    expect(() => next.get('OTHER')).toThrow(UndeclaredParameterError);
    expect(snapshot.get('PERIOD')).toBe(14);
  });

  it('decodes only canonical forms', () => {
    const int = catalog.get('PERIOD')!;
    expect(decodeValue(int, '05')).toMatchObject({ ok: false });
    expect(decodeValue(int, '5.0')).toMatchObject({ ok: false });
    expect(decodeValue(int, '500')).toEqual({ ok: true, value: 500 });
    expect(decodeValue(int, '500', true)).toMatchObject({ ok: false });
    expect(decodeValue(catalog.get('ENABLED')!, 'TRUE')).toMatchObject({ ok: false });
    expect(decodeValue(catalog.get('SIZING')!, 'martingale', true)).toMatchObject({ ok: false });
  });

  it('findProblems lists every missing, deprecated and invalid consumed name at once (ADR-25)', () => {
    const problems = findProblems(['BUY', 'OLD', 'NOPE', 'PERIOD', 'SIZING'], catalog, { ...values, PERIOD: '1', SIZING: undefined as unknown as string });
    expect(problems.map((p) => [p.name, p.reason])).toEqual([
      ['OLD', 'DEPRECATED'],
      ['NOPE', 'MISSING'],
      ['PERIOD', 'INVALID'],
      ['SIZING', 'MISSING'],
    ]);
    expect(problems[0]!.message).toContain('PERIOD');
    expect(findProblems(['BUY', 'ENABLED'], catalog, values)).toEqual([]);
  });
});
