// A violation is what an operator sees when a save is refused, so `message` is
// a complete sentence naming the parameter or rule; `code` is for programs
// (UI grouping, metrics, tests) and must not be parsed out of the message.

export type ViolationCode =
  | 'UNKNOWN_PARAMETER'
  | 'INVALID_TYPE'
  | 'OUT_OF_RANGE'
  | 'NOT_ALLOWED'
  | 'DEPRECATED_PARAMETER'
  | 'DEPRECATED_VALUE'
  | 'REQUIRED'
  | 'VALIDATOR_FAILED'
  | 'RULE_FAILED'
  | 'INVALID_EXPRESSION'
  // Longer, larger or deeper than its limit (a value, run metadata, a JSON input).
  | 'TOO_LARGE';

export interface Violation {
  code: ViolationCode;
  message: string;
  /** The parameter the violation is about, when there is one. */
  parameter?: string;
  /** The rule the violation is about, when there is one. */
  rule?: string;
  /** The input field the violation is about (a form field that is not a parameter, e.g. `reason`, `maxValue`). */
  field?: string;
  /** The environment whose values the violation concerns, when there is one. */
  environment?: string;
}
