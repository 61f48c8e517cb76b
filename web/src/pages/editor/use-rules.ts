import type { RuleShape } from '../../../../server/validation/index.ts';

const none: RuleShape[] = [];

/**
 * The cross-parameter rules, for the tray's live check. The API has no rules
 * query yet (schema/rules.ts is being written): until it lands the console
 * checks values only and the server stays the authority on rules.
 */
export function useRules(): RuleShape[] {
  return none;
}
