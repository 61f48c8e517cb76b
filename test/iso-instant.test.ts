import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoInstant } from '../schema/iso-instant.ts';

// The direct apply report reads the agent's instants from their digits
// (schema/iso-instant.ts): it must read exactly what Date reads back to the
// same text, and leave every other text alone (to the DateTime scalar).
const reference = (text: string): number | undefined => {
  if (!/^(19|20)\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text)) return undefined;
  const date = new Date(text);
  return !Number.isNaN(date.getTime()) && date.toISOString() === text ? date.getTime() : undefined;
};

describe('isoInstant', () => {
  it('reads every Date#toISOString text of 1900-2099 as Date does', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1900-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
      expect(isoInstant(date.toISOString())?.getTime()).toBe(date.getTime());
    }), { numRuns: 5_000 });
  });

  it('agrees with the round trip on texts close to valid ones (digits changed, days past the month, other characters)', () => {
    const digit = fc.constantFrom(...'0123456789');
    const near = fc.tuple(fc.date({ min: new Date('1890-01-01T00:00:00.000Z'), max: new Date('2110-01-01T00:00:00.000Z'), noInvalidDate: true }), fc.nat(23), fc.oneof(digit, fc.constantFrom('x', ' ', '-', ':', 'Z', '9', '3')))
      .map(([date, index, char]) => { const text = date.toISOString(); return text.slice(0, index) + char + text.slice(index + 1); });
    fc.assert(fc.property(near, (text) => {
      expect(isoInstant(text)?.getTime()).toBe(reference(text));
    }), { numRuns: 20_000 });
    for (const text of ['2026-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-12-03T24:00:00.000Z', '2026-12-03T10:00:00.000+00:00', '2026-12-03T10:00:00Z', '']) {
      expect(isoInstant(text)?.getTime()).toBe(reference(text));
    }
  });
});
