// The zod face of value decoding. The browser console plugs valueSchema into
// its forms and the server reports parseValue's violation; both run the same
// decodeValue inside, so a value the form accepts is a value the save accepts,
// with the same sentence when it is refused.

import { z } from 'zod';
import type { CatalogEntryShape, TypedValue } from './catalog-entry-shape.ts';
import { decodeValue, expectation, type DecodeOptions } from './decode-value.ts';
import type { Violation, ViolationCode } from './violation.ts';

export type ParseValueResult = { ok: true; value: TypedValue } | { ok: false; violation: Violation };

/** Key under which our custom zod issues carry their ViolationCode. */
const VIOLATION_CODE_PARAM = 'violationCode';

/**
 * A schema that parses the stored string of `entry` into its typed value
 * (INT/FLOAT → number, BOOL → boolean, ENUM/STRING → string) and enforces
 * required, deprecated values, bounds and allowed values. Every issue message
 * is the operator sentence, e.g. "CVN_ATR_PERIOD must be an integer between 5
 * and 50; got 70.".
 *
 * Building a schema costs tens of microseconds; build one per form field, not
 * per keystroke, and not per value when typing a whole snapshot (the config
 * validator uses decodeValue for that).
 */
export function valueSchema(entry: CatalogEntryShape, options: Pick<DecodeOptions, 'maxLength'> = {}): z.ZodType<TypedValue, string> {
  return z
    .string({
      // Forms hand over undefined for untouched fields; say "required" when that is the problem.
      error: (issue) =>
        entry.required && (issue.input === undefined || issue.input === null)
          ? `${entry.name} is required and cannot be empty.`
          : expectation(entry, issue.input),
    })
    .transform((raw, ctx): TypedValue => {
      const result = decodeValue(entry, raw, options);
      if (result.ok) return result.value;
      // A custom issue, rather than zod's own checks, so the violation code travels
      // with the issue instead of being guessed back from zod's issue kinds.
      ctx.addIssue({
        code: 'custom',
        message: result.message,
        input: raw,
        params: { [VIOLATION_CODE_PARAM]: result.code },
      });
      return z.NEVER;
    });
}

/**
 * Parses one stored string for `entry`; on failure returns exactly one
 * violation (the first problem found, in the order required → length →
 * deprecated value → type → bounds / allowed values). `maxLength`: the global
 * ceiling (the entry's own maxLength overrides it).
 */
export function parseValue(entry: CatalogEntryShape, raw: string, options: Pick<DecodeOptions, 'maxLength'> = {}): ParseValueResult {
  const result = valueSchema(entry, options).safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    violation: {
      code: issue === undefined ? 'INVALID_TYPE' : violationCodeOf(entry, issue),
      message: issue?.message ?? expectation(entry, raw),
      parameter: entry.name,
    },
  };
}

function violationCodeOf(entry: CatalogEntryShape, issue: z.core.$ZodIssue): ViolationCode {
  if (issue.code === 'custom') {
    const code: unknown = issue.params?.[VIOLATION_CODE_PARAM];
    if (typeof code === 'string') return code as ViolationCode;
  }
  // Only z.string() itself can raise a non-custom issue: the input was not a string.
  return entry.required && (issue.input === undefined || issue.input === null) ? 'REQUIRED' : 'INVALID_TYPE';
}
