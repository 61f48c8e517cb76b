import type { RuleShape } from '../../../contract/validation/index.ts';
import type { SqlClient } from '../../db/sql-client.ts';

/** The enabled cross-parameter rules by name, and the key the save's statement compares under the lock. */
export interface EnabledRules {
  key: string;
  rules: readonly RuleShape[];
}

/** Rules and key in one statement, so both come from the same snapshot. */
export async function readEnabledRules(sql: SqlClient): Promise<EnabledRules> {
  const [row] = await sql.query<{ key: string; rules: string }>(`
    SELECT ucp_enabled_rules_key() AS key,
           COALESCE((SELECT json_agg(json_build_object('name', name, 'expression', expression, 'message', message, 'enabled', enabled) ORDER BY name)
                     FROM cross_parameter_rules WHERE enabled), '[]')::text AS rules`);
  return { key: row!.key, rules: JSON.parse(row!.rules) as RuleShape[] };
}

/**
 * The enabled rules as last read. Nothing announces a rule change to every
 * replica in time, and nothing needs to: the save's statement compares the
 * key under the environment lock and refuses a save validated against rules
 * that have since changed; the writer then reads them again.
 */
export function createEnabledRulesCache() {
  let cached: EnabledRules | undefined;
  return {
    async load(sql: SqlClient): Promise<EnabledRules> {
      cached ??= await readEnabledRules(sql);
      return cached;
    },
    invalidate(): void {
      cached = undefined;
    },
  };
}

export type EnabledRulesCache = ReturnType<typeof createEnabledRulesCache>;
