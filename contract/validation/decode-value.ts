// Turns a stored string (ADR-59) into its typed value according to the catalog
// entry, or explains in one operator-readable sentence why it cannot.
//
// This is the single source of truth for value syntax and for the wording of
// value errors. valueSchema (zod, used by the browser forms and by parseValue)
// wraps it, and the config validator calls it directly to type the ~570 values
// of a snapshot on every save, where building 570 zod schemas would cost more
// than the whole time budget. Both paths therefore accept the same strings and
// produce the same sentences.

import type { CatalogEntryShape, ParameterType, TypedValue } from './catalog-entry-shape.ts';
import { valueLengthLimit } from './value-limits.ts';
import type { ViolationCode } from './violation.ts';

export interface DecodeOptions {
  /**
   * Only check that the string converts to the entry's type (INT, FLOAT, BOOL);
   * skip the write-time policy: required, deprecated values, bounds and allowed
   * values. Used to type the values already stored in a snapshot for CEL: a value
   * that has drifted outside a tightened range is still the value the trading
   * system runs with, so rules must see it rather than treat it as missing.
   */
  typeOnly?: boolean;
  /**
   * The global ceiling on a value's length in characters (the server's
   * MAX_VALUE_LENGTH), which the entry's own maxLength overrides. Write-time
   * policy like bounds: skipped with typeOnly. Without either, no length check.
   */
  maxLength?: number;
}

export type DecodeResult =
  | { ok: true; value: TypedValue }
  | { ok: false; code: ViolationCode; message: string };

/*
 * Canonical forms only. Stored values are compared as strings (diffs, audit,
 * deprecated values), so '05' and '5' must not both be storable for the same
 * number:
 *   INT   : optional '-', no leading zeros, no '+', no '-0', no whitespace,
 *           no fraction ('5.0'), no exponent ('1e3'), no hex or separators.
 *   FLOAT : same integer part, optional '.digits' fraction. Trailing zeros in
 *           the fraction ('1.50') are accepted because operators write prices
 *           that way. No exponent, no 'NaN'/'Infinity', no '.5' or '5.'.
 */
const INT_PATTERN = /^(?:0|-?[1-9][0-9]*)$/;
const FLOAT_PATTERN = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

const MAX_LISTED_VALUES = 12;
const MAX_SHOWN_INPUT = 60;

export function decodeValue(entry: CatalogEntryShape, raw: string, options: DecodeOptions = {}): DecodeResult {
  const typeOnly = options.typeOnly === true;

  // An empty required value is reported as REQUIRED whatever the type: "it is
  // required" tells the operator more than "must be an integer; got nothing".
  if (!typeOnly && entry.required && raw === '') {
    return fail('REQUIRED', `${entry.name} is required and cannot be empty.`);
  }

  // First of the policy checks: nothing below needs to look at a 10 MiB string.
  if (!typeOnly) {
    const limit = valueLengthLimit(entry, options.maxLength);
    if (limit !== undefined && raw.length > limit) {
      return fail('TOO_LARGE', `${entry.name} takes at most ${limit} characters; got ${raw.length}.`);
    }
  }

  // Deprecated values are checked before allowed values and bounds: the reason
  // ("replaced by ATR2.0_...") is what the operator needs, and a deprecated ENUM
  // value has usually been removed from allowedValues as well.
  if (!typeOnly) {
    const deprecated = findDeprecatedValue(entry, raw);
    if (deprecated !== undefined) {
      const reason = sentenceBody(deprecated.reason);
      return fail('DEPRECATED_VALUE', `${raw} is no longer accepted for ${entry.name}${reason === '' ? '' : `: ${reason}`}.`);
    }
  }

  switch (entry.type) {
    case 'INT': {
      if (!INT_PATTERN.test(raw)) return fail('INVALID_TYPE', expectation(entry, raw));
      const value = Number(raw);
      if (!Number.isSafeInteger(value)) {
        // A well-formed integer that a JS number (and so the browser) cannot hold exactly.
        return fail(
          typeOnly ? 'INVALID_TYPE' : 'OUT_OF_RANGE',
          `${entry.name} must be an integer between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}; got ${showInput(raw)}.`,
        );
      }
      if (!typeOnly && !withinBounds(entry, value)) return fail('OUT_OF_RANGE', expectation(entry, raw));
      return { ok: true, value };
    }
    case 'FLOAT': {
      if (!FLOAT_PATTERN.test(raw)) return fail('INVALID_TYPE', expectation(entry, raw));
      const value = Number(raw);
      // Hundreds of digits parse to Infinity; CEL and the trading system need finite doubles.
      if (!Number.isFinite(value)) return fail('INVALID_TYPE', expectation(entry, raw));
      if (!typeOnly && !withinBounds(entry, value)) return fail('OUT_OF_RANGE', expectation(entry, raw));
      return { ok: true, value };
    }
    case 'BOOL': {
      if (raw === 'true') return { ok: true, value: true };
      if (raw === 'false') return { ok: true, value: false };
      return fail('INVALID_TYPE', expectation(entry, raw));
    }
    case 'ENUM': {
      if (!typeOnly && !entry.allowedValues.includes(raw)) return fail('NOT_ALLOWED', expectation(entry, raw));
      return { ok: true, value: raw };
    }
    case 'STRING':
      return { ok: true, value: raw };
    default:
      return fail('INVALID_TYPE', `${entry.name} has the unsupported type ${unsupportedType(entry.type)}.`);
  }
}

/**
 * "CVN_ATR_PERIOD must be an integer between 5 and 50; got 70." — one sentence
 * for both malformed and out-of-range input, so the operator sees the full
 * expectation whichever way the input was wrong.
 */
export function expectation(entry: CatalogEntryShape, raw: unknown): string {
  return `${entry.name} must be ${describeExpected(entry)}; got ${showInput(raw)}.`;
}

/** The noun phrase describing what an entry accepts, e.g. "a number of at least 0.5". */
export function describeExpected(entry: CatalogEntryShape): string {
  switch (entry.type) {
    case 'INT':
      return `an integer${describeBounds(entry)}`;
    case 'FLOAT':
      return `a number${describeBounds(entry)}`;
    case 'BOOL':
      return 'true or false';
    case 'ENUM':
      return describeAllowed(entry.allowedValues);
    case 'STRING':
      return entry.required ? 'a non-empty text' : 'a text';
    default:
      return `a value of the unsupported type ${unsupportedType(entry.type)}`;
  }
}

function describeBounds(entry: CatalogEntryShape): string {
  const { minValue: min, maxValue: max } = entry;
  if (min !== null && max !== null) return ` between ${min} and ${max}`;
  if (min !== null) return ` of at least ${min}`;
  if (max !== null) return ` of at most ${max}`;
  return '';
}

function describeAllowed(allowed: readonly string[]): string {
  if (allowed.length === 0) return 'one of the allowed values, but none are configured';
  if (allowed.length === 1) return `${allowed[0]}`;
  // Some enums are long; the form shows the full list, the sentence stays readable.
  if (allowed.length > MAX_LISTED_VALUES) {
    const shown = allowed.slice(0, MAX_LISTED_VALUES).join(', ');
    return `one of ${shown} (and ${allowed.length - MAX_LISTED_VALUES} more)`;
  }
  return `one of ${allowed.join(', ')}`;
}

/**
 * Shows what the operator typed. Plain tokens print as-is ("got 70"); anything
 * with spaces or punctuation is quoted so that ' 5' is visibly not '5'.
 */
export function showInput(raw: unknown): string {
  if (typeof raw !== 'string') return raw === undefined || raw === null ? 'no value' : `a ${typeof raw}`;
  if (raw === '') return 'an empty value';
  const text = raw.length > MAX_SHOWN_INPUT ? `${raw.slice(0, MAX_SHOWN_INPUT)}…` : raw;
  return /^[A-Za-z0-9_.+-]+$/.test(raw) ? text : JSON.stringify(text);
}

function withinBounds(entry: CatalogEntryShape, value: number): boolean {
  // Bounds are inclusive: minValue 5 accepts 5.
  if (entry.minValue !== null && value < entry.minValue) return false;
  if (entry.maxValue !== null && value > entry.maxValue) return false;
  return true;
}

function findDeprecatedValue(entry: CatalogEntryShape, raw: string): { value: string; reason: string } | undefined {
  if (entry.deprecatedValues.length === 0) return undefined;
  const exact = entry.deprecatedValues.find((d) => d.value === raw);
  if (exact !== undefined) return exact;
  // For numbers, a deprecated '1.5' must also catch '1.50'.
  const numeric = numericValue(entry.type, raw);
  if (numeric === undefined) return undefined;
  return entry.deprecatedValues.find((d) => numericValue(entry.type, d.value) === numeric);
}

function numericValue(type: ParameterType, raw: string): number | undefined {
  if (type === 'INT' && INT_PATTERN.test(raw)) return Number(raw);
  if (type === 'FLOAT' && FLOAT_PATTERN.test(raw)) return Number(raw);
  return undefined;
}

/** Lets reasons be written with or without a final period without doubling it. */
function sentenceBody(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

function fail(code: ViolationCode, message: string): DecodeResult {
  return { ok: false, code, message };
}

/**
 * The `never` parameter makes adding a member to ParameterType a compile error
 * here; at run time (a database enum ahead of this code) the value is refused
 * rather than crashing the whole save.
 */
function unsupportedType(type: never): string {
  return String(type);
}
