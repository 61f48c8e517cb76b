// Public API of the validation core. Pure TypeScript over zod and @bufbuild/cel
// only, so the server and the browser console import the same files.

export type { CatalogEntryShape, ParameterType, RuleShape, TypedValue } from './catalog-entry-shape.ts';
export type { Violation, ViolationCode } from './violation.ts';
export { decodeValue, describeExpected, expectation, showInput, type DecodeOptions, type DecodeResult } from './decode-value.ts';
export { parseValue, valueSchema, type ParseValueResult } from './value-schema.ts';
export { DEFAULT_MAX_VALUE_LENGTH, MAX_VALUE_LENGTH_LIMIT, valueLengthLimit } from './value-limits.ts';
export { DEFAULT_JSON_LIMITS, jsonDepth, jsonLimitViolation, type JsonLimits } from './json-limits.ts';
export { toCelValue, typedSnapshot, type SkippedValue, type TypedSnapshot } from './typed-snapshot.ts';
export {
  createCelProgramCache,
  describeCelValue,
  RULE_VARIABLES,
  VALIDATOR_VARIABLES,
  type CelBindings,
  type CelCompileResult,
  type CelOutcome,
  type CelProgram,
  type CelProgramCache,
  type CelProgramCacheOptions,
} from './cel-program-cache.ts';
export { CEL_LIMITS, type CelLimits } from './cel-limits.ts';
export {
  createConfigValidator,
  type ConfigValidator,
  type ConfigValidatorOptions,
  type ValidateChangeInput,
} from './config-validator.ts';
