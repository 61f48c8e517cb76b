import type { RuleShape } from '../../../../contract/validation/index.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rules whose expression reads one of `names` (params.NAME or params["NAME"]). */
export function rulesTouching(rules: readonly RuleShape[], names: readonly string[]): RuleShape[] {
  if (names.length === 0) return [];
  const pattern = new RegExp(`params(?:\\.(?:${names.map(escape).join('|')})\\b|\\[\\s*["'](?:${names.map(escape).join('|')})["']\\s*\\])`);
  return rules.filter((rule) => pattern.test(rule.expression));
}
