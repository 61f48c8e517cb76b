import { z } from 'zod';
import type { ParameterCategory, ParameterType } from '../../generated/prisma/enums.ts';
import { ParameterCategory as Categories, ParameterType as Types } from '../../generated/prisma/enums.ts';
import {
  decodeValue, describeExpected, MAX_VALUE_LENGTH_LIMIT, showInput, type ConfigValidator, type ViolationCode,
} from '../../../contract/validation/index.ts';
import { consumerLabelProblem } from '../../../contract/catalog.ts';
import type { CatalogViolation } from './catalog-entry-definition.ts';
import { definitionShape } from './catalog-entry-row.ts';
import type { CatalogEntryDraft } from './patch-definition.ts';

const NAME_PATTERN = /^CVN_[A-Z0-9_]+$/;
// Where a custom issue carries the violation code it stands for.
const VIOLATION_CODE = 'violationCode';

const custom = (ctx: z.RefinementCtx, field: string, code: ViolationCode, message: string) =>
  ctx.addIssue({ code: 'custom', path: [field], message, params: { [VIOLATION_CODE]: code } });

/**
 * The zod schema of a whole definition. Field checks first; the cross-field
 * checks (type against bounds and allowed values, the default against the
 * definition) run once type and category are given. The caller keeps the
 * first issue of each field, so each bad field yields one sentence.
 */
export function createDefinitionSchema(validator: ConfigValidator) {
  const bound = z.number().refine(Number.isFinite, 'A bound must be a finite number.').nullable();
  return z.object({
    name: z.string()
      .regex(NAME_PATTERN, 'A parameter name is CVN_ followed by capital letters, digits and underscores, e.g. CVN_ATR_PERIOD.')
      .max(100, 'A parameter name has at most 100 characters.'),
    type: z.enum(Object.values(Types) as [ParameterType, ...ParameterType[]], { error: 'Choose a type: ENUM, BOOL, INT, FLOAT or STRING.' }),
    category: z.enum(Object.values(Categories) as [ParameterCategory, ...ParameterCategory[]], { error: 'Choose a category.' }),
    allowedValues: z.array(z.string()).superRefine((values, ctx) => {
      const duplicate = values.find((v, i) => values.indexOf(v) !== i);
      const blank = values.find((v) => v === '' || v.trim() !== v);
      if (blank !== undefined) custom(ctx, 'allowedValues', 'NOT_ALLOWED', `An allowed value cannot be empty or start or end with spaces; got ${showInput(blank)}.`);
      else if (duplicate !== undefined) custom(ctx, 'allowedValues', 'NOT_ALLOWED', `${duplicate} is listed twice in the allowed values.`);
    }),
    minValue: bound,
    maxValue: bound,
    defaultValue: z.string().nullable(),
    unit: z.string().max(32, 'A unit has at most 32 characters.').nullable(),
    description: z.string().min(1, 'Describe the parameter: what it does and what a change means.').max(2000, 'Keep the description under 2,000 characters.'),
    group: z.string().min(1, 'Give the parameter a display group.').max(100, 'A group name has at most 100 characters.'),
    required: z.boolean(),
    hotReloadable: z.boolean(),
    critical: z.boolean(),
    excludedFromFtf: z.boolean(),
    validator: z.string().max(10_000, 'Keep the validator under 10,000 characters.').nullable().superRefine((source, ctx) => {
      if (source === null) return;
      const violation = validator.checkExpression(source);
      if (violation) custom(ctx, 'validator', 'INVALID_EXPRESSION', violation.message.replace('The expression', 'The validator'));
    }),
    deprecatedValues: z.array(z.object({
      value: z.string(),
      reason: z.string().min(1, 'Say why each deprecated value is refused: operators read it when their save fails.'),
    })),
    maxLength: z.number()
      .int('The maximum length is a whole number of characters.')
      .min(1, 'The maximum length is at least 1 character.')
      .max(MAX_VALUE_LENGTH_LIMIT, `The maximum length is at most ${MAX_VALUE_LENGTH_LIMIT} characters.`)
      .nullable(),
    consumedOutside: z.string().nullable().superRefine((label, ctx) => {
      const problem = label === null ? null : consumerLabelProblem(label);
      if (problem) custom(ctx, 'consumedOutside', 'NOT_ALLOWED', problem);
    }),
  }).superRefine((d, ctx) => {
    const numeric = d.type === 'INT' || d.type === 'FLOAT';
    const bounds = d.minValue !== null || d.maxValue !== null;
    let structural = true;
    const fail = (field: string, code: ViolationCode, message: string) => {
      structural = false;
      custom(ctx, field, code, message);
    };
    if (d.type === 'ENUM' && d.allowedValues.length === 0) fail('allowedValues', 'REQUIRED', `An ENUM needs at least one allowed value.`);
    if (d.type !== 'ENUM' && d.allowedValues.length > 0) fail('allowedValues', 'NOT_ALLOWED', `Allowed values apply to ENUM parameters only, not ${d.type}.`);
    if (!numeric && bounds) fail(d.minValue !== null ? 'minValue' : 'maxValue', 'NOT_ALLOWED', `Bounds apply to INT and FLOAT parameters only, not ${d.type}.`);
    if (d.type === 'INT') {
      for (const field of ['minValue', 'maxValue'] as const) {
        const value = d[field];
        if (value !== null && !Number.isSafeInteger(value)) fail(field, 'INVALID_TYPE', `An INT parameter needs whole-number bounds; ${field} is ${value}.`);
      }
    }
    if (numeric && d.minValue !== null && d.maxValue !== null && d.minValue > d.maxValue) {
      fail('maxValue', 'OUT_OF_RANGE', `The maximum ${d.maxValue} is below the minimum ${d.minValue}.`);
    }
    const shape = definitionShape(d.name, d);
    const limit = validator.lengthLimit(shape);
    const tooLong = d.allowedValues.find((value) => value.length > limit);
    if (tooLong !== undefined) fail('allowedValues', 'TOO_LARGE', `The allowed value ${showInput(tooLong)} is longer than the ${limit} characters a value of ${d.name || 'this parameter'} may have.`);
    const allowed = new Set(d.allowedValues);
    const clash = d.deprecatedValues.find((dv) => allowed.has(dv.value));
    const untyped = d.deprecatedValues.find((dv) => !decodeValue(shape, dv.value, { typeOnly: true }).ok);
    if (clash) fail('deprecatedValues', 'NOT_ALLOWED', `${clash.value} cannot be both allowed and deprecated: remove it from the allowed values.`);
    else if (untyped) fail('deprecatedValues', 'INVALID_TYPE', `The deprecated value ${showInput(untyped.value)} is not ${describeExpected({ ...shape, minValue: null, maxValue: null, allowedValues: [] })}.`);
    // The default is judged by the definition it belongs to, so only once that definition holds together.
    if (structural && d.defaultValue !== null) {
      const parsed = validator.parseValue(shape, d.defaultValue);
      if (!parsed.ok) custom(ctx, 'defaultValue', parsed.violation.code, `The default value does not fit the definition: ${parsed.violation.message}`);
    }
  });
}

function violationCodeOf(issue: z.core.$ZodIssue): ViolationCode {
  if (issue.code === 'custom') {
    const code: unknown = issue.params?.[VIOLATION_CODE];
    if (typeof code === 'string') return code as ViolationCode;
  }
  switch (issue.code) {
    case 'invalid_format':
      return 'NOT_ALLOWED';
    case 'too_big':
      return 'OUT_OF_RANGE';
    // GraphQL already typed every field, so a type or enum issue here means "not given" (the live check's partial forms).
    case 'too_small':
    case 'invalid_type':
    case 'invalid_value':
      return 'REQUIRED';
    default:
      return 'INVALID_TYPE';
  }
}

export type DefinitionSchema = ReturnType<typeof createDefinitionSchema>;

/** One violation per bad field (its first issue), in input order; empty when the definition holds together. */
export function definitionViolations(schema: DefinitionSchema, draft: CatalogEntryDraft): CatalogViolation[] {
  const result = schema.safeParse(draft);
  if (result.success) return [];
  const byField = new Map<string, CatalogViolation>();
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'input');
    if (!byField.has(field)) byField.set(field, { code: violationCodeOf(issue), message: issue.message, parameter: draft.name || undefined, field });
  }
  return [...byField.values()];
}
