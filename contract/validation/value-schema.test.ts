import { describe, expect, it } from 'vitest';
import { catalogEntry as entry } from './catalog-entry-fixture.ts';
import { z } from 'zod';
import type { CatalogEntryShape } from './catalog-entry-shape.ts';
import { decodeValue } from './decode-value.ts';
import { parseValue, valueSchema } from './value-schema.ts';


function refusal(e: CatalogEntryShape, raw: string) {
  const result = parseValue(e, raw);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused, got ${String(result.value)}`);
  return result.violation;
}

describe('INT', () => {
  const period = entry({ name: 'CVN_ATR_PERIOD', type: 'INT', minValue: 5, maxValue: 50 });
  const free = entry({ name: 'CVN_OFFSET', type: 'INT' });

  it('accepts canonical base-10 integers within inclusive bounds', () => {
    expect(parseValue(period, '5')).toEqual({ ok: true, value: 5 });
    expect(parseValue(period, '50')).toEqual({ ok: true, value: 50 });
    expect(parseValue(free, '-7')).toEqual({ ok: true, value: -7 });
    expect(parseValue(free, '0')).toEqual({ ok: true, value: 0 });
    expect(parseValue(free, String(Number.MAX_SAFE_INTEGER))).toEqual({ ok: true, value: Number.MAX_SAFE_INTEGER });
  });

  it('refuses values outside the bounds with the operator sentence', () => {
    expect(refusal(period, '70')).toEqual({
      code: 'OUT_OF_RANGE',
      message: 'CVN_ATR_PERIOD must be an integer between 5 and 50; got 70.',
      parameter: 'CVN_ATR_PERIOD',
    });
    expect(refusal(period, '4').code).toBe('OUT_OF_RANGE');
  });

  // Decision: only the canonical form is storable, so '05' is refused (values
  // are compared as strings in diffs, audit and deprecated values).
  it.each(['05', '-0', '+5', '5.0', '1e3', ' 5', '5 ', '0x10', '1_000', '1,000', '', 'five', '٥'])(
    'refuses %j as INVALID_TYPE',
    (raw) => {
      expect(refusal(free, raw).code).toBe('INVALID_TYPE');
    },
  );

  it('quotes input with spaces so the operator sees them', () => {
    expect(refusal(period, ' 5').message).toBe('CVN_ATR_PERIOD must be an integer between 5 and 50; got " 5".');
    expect(refusal(period, '').message).toBe('CVN_ATR_PERIOD must be an integer between 5 and 50; got an empty value.');
  });

  it('refuses integers beyond the safe range even without bounds', () => {
    const violation = refusal(free, '9007199254740993');
    expect(violation.code).toBe('OUT_OF_RANGE');
    expect(violation.message).toContain('9007199254740991');
  });

  it('describes one-sided bounds', () => {
    expect(refusal(entry({ name: 'A', type: 'INT', minValue: 1 }), '0').message).toBe('A must be an integer of at least 1; got 0.');
    expect(refusal(entry({ name: 'B', type: 'INT', maxValue: 9 }), 'x').message).toBe('B must be an integer of at most 9; got x.');
  });
});

describe('FLOAT', () => {
  const mult = entry({ name: 'CVN_TP_MULT', type: 'FLOAT', minValue: 0.5, maxValue: 3 });
  const free = entry({ name: 'CVN_BIAS', type: 'FLOAT' });

  it('accepts decimals, with inclusive bounds', () => {
    expect(parseValue(mult, '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseValue(mult, '3')).toEqual({ ok: true, value: 3 });
    expect(parseValue(mult, '3.0')).toEqual({ ok: true, value: 3 });
    expect(parseValue(mult, '1.50')).toEqual({ ok: true, value: 1.5 });
    expect(parseValue(free, '-0.25')).toEqual({ ok: true, value: -0.25 });
  });

  it('refuses values just outside the bounds', () => {
    expect(refusal(mult, '3.0001')).toEqual({
      code: 'OUT_OF_RANGE',
      message: 'CVN_TP_MULT must be a number between 0.5 and 3; got 3.0001.',
      parameter: 'CVN_TP_MULT',
    });
    expect(refusal(mult, '0.4999').code).toBe('OUT_OF_RANGE');
  });

  it.each(['', 'NaN', 'Infinity', '-Infinity', '0x1A', '1e3', '1E-7', '.5', '5.', '1,5', ' 1.5', '01.5', '1.5.2', `1${'0'.repeat(400)}`])(
    'refuses %j as INVALID_TYPE',
    (raw) => {
      expect(refusal(free, raw).code).toBe('INVALID_TYPE');
    },
  );
});

describe('BOOL', () => {
  const flag = entry({ name: 'CVN_ENABLED', type: 'BOOL' });

  it('accepts exactly true and false', () => {
    expect(parseValue(flag, 'true')).toEqual({ ok: true, value: true });
    expect(parseValue(flag, 'false')).toEqual({ ok: true, value: false });
  });

  it.each(['TRUE', 'True', '1', '0', 'yes', '', ' true'])('refuses %j', (raw) => {
    const violation = refusal(flag, raw);
    expect(violation.code).toBe('INVALID_TYPE');
    expect(violation.message).toMatch(/^CVN_ENABLED must be true or false; got /);
  });
});

describe('ENUM', () => {
  const envelope = entry({
    name: 'CVN_PTE_ENVELOPE',
    type: 'ENUM',
    allowedValues: ['ATR2.0_3.0_H5', 'ATR2.5_3.5_H5'],
    deprecatedValues: [{ value: 'ATR1.5_3.0_H5', reason: 'replaced by ATR2.0_3.0_H5 after the March review.' }],
  });

  it('accepts allowed values', () => {
    expect(parseValue(envelope, 'ATR2.0_3.0_H5')).toEqual({ ok: true, value: 'ATR2.0_3.0_H5' });
  });

  it('refuses other values as NOT_ALLOWED, listing the allowed ones', () => {
    expect(refusal(envelope, 'ATR9')).toEqual({
      code: 'NOT_ALLOWED',
      message: 'CVN_PTE_ENVELOPE must be one of ATR2.0_3.0_H5, ATR2.5_3.5_H5; got ATR9.',
      parameter: 'CVN_PTE_ENVELOPE',
    });
  });

  it('reports a deprecated value with its reason, before NOT_ALLOWED', () => {
    expect(refusal(envelope, 'ATR1.5_3.0_H5')).toEqual({
      code: 'DEPRECATED_VALUE',
      message: 'ATR1.5_3.0_H5 is no longer accepted for CVN_PTE_ENVELOPE: replaced by ATR2.0_3.0_H5 after the March review.',
      parameter: 'CVN_PTE_ENVELOPE',
    });
  });

  it('reports a deprecated value even while it is still listed as allowed', () => {
    const both = entry({ ...envelope, allowedValues: [...envelope.allowedValues, 'ATR1.5_3.0_H5'] });
    expect(refusal(both, 'ATR1.5_3.0_H5').code).toBe('DEPRECATED_VALUE');
  });

  it('shortens long lists of allowed values', () => {
    const many = entry({ name: 'CVN_VENUE', type: 'ENUM', allowedValues: Array.from({ length: 20 }, (_, i) => `V${i}`) });
    expect(refusal(many, 'X').message).toContain('(and 8 more)');
  });
});

describe('STRING', () => {
  it('accepts any text, including empty when not required', () => {
    const note = entry({ name: 'CVN_NOTE', type: 'STRING' });
    expect(parseValue(note, '')).toEqual({ ok: true, value: '' });
    expect(parseValue(note, '  spaced  ')).toEqual({ ok: true, value: '  spaced  ' });
  });

  it('refuses an empty required value as REQUIRED', () => {
    const label = entry({ name: 'CVN_LABEL', type: 'STRING', required: true });
    expect(refusal(label, '')).toEqual({ code: 'REQUIRED', message: 'CVN_LABEL is required and cannot be empty.', parameter: 'CVN_LABEL' });
  });
});

describe('required and deprecated values on numbers', () => {
  it('reports an empty required INT as REQUIRED rather than INVALID_TYPE', () => {
    expect(refusal(entry({ name: 'CVN_N', type: 'INT', required: true }), '').code).toBe('REQUIRED');
  });

  it('matches deprecated numeric values by value, not only by spelling', () => {
    const e = entry({ name: 'CVN_R', type: 'FLOAT', deprecatedValues: [{ value: '1.5', reason: 'too tight' }] });
    expect(refusal(e, '1.50')).toMatchObject({ code: 'DEPRECATED_VALUE', message: '1.50 is no longer accepted for CVN_R: too tight.' });
  });
});

describe('valueSchema (zod, used by the browser forms)', () => {
  const period = entry({ name: 'CVN_ATR_PERIOD', type: 'INT', minValue: 5, maxValue: 50 });

  it('parses into the typed value', () => {
    expect(valueSchema(period).parse('12')).toBe(12);
    expect(valueSchema(entry({ name: 'F', type: 'BOOL' })).parse('false')).toBe(false);
  });

  it('uses the same sentences as parseValue', () => {
    for (const raw of ['70', '5.0', '', 'abc']) {
      const zodResult = valueSchema(period).safeParse(raw);
      expect(zodResult.success).toBe(false);
      expect(zodResult.error?.issues[0]?.message).toBe(refusal(period, raw).message);
    }
  });

  it('composes into form schemas and reports the field path', () => {
    const form = z.object({ CVN_ATR_PERIOD: valueSchema(period) });
    const result = form.safeParse({ CVN_ATR_PERIOD: '70' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['CVN_ATR_PERIOD'],
      message: 'CVN_ATR_PERIOD must be an integer between 5 and 50; got 70.',
    });
  });

  it('explains a missing value in a form', () => {
    const required = entry({ name: 'CVN_N', type: 'INT', required: true });
    const result = z.object({ CVN_N: valueSchema(required) }).safeParse({});
    expect(result.error?.issues[0]?.message).toBe('CVN_N is required and cannot be empty.');
  });
});

describe('decodeValue typeOnly (typing stored values for CEL)', () => {
  it('checks the type but not bounds, allowed values or deprecated values', () => {
    const period = entry({ name: 'P', type: 'INT', minValue: 5, maxValue: 50 });
    expect(decodeValue(period, '70', { typeOnly: true })).toEqual({ ok: true, value: 70 });
    expect(decodeValue(period, 'abc', { typeOnly: true }).ok).toBe(false);
    const mode = entry({ name: 'M', type: 'ENUM', allowedValues: ['A'], deprecatedValues: [{ value: 'OLD', reason: 'gone' }] });
    expect(decodeValue(mode, 'OLD', { typeOnly: true })).toEqual({ ok: true, value: 'OLD' });
  });
});
