export type ParameterTypeSeed = 'ENUM' | 'BOOL' | 'INT' | 'FLOAT' | 'STRING';
export type ParameterCategorySeed = 'THRESHOLD' | 'FILTER_FLAG' | 'COOLDOWN' | 'RISK_LIMIT' | 'MODEL' | 'FEATURE_ENGINEERING' | 'EXECUTION' | 'COST' | 'HPO';
/** One catalog entry as the first start seeds it. Values are strings (ADR-59): BOOL is 'true'|'false', INT a base-10 integer, FLOAT a decimal. */
export interface CatalogEntrySeed {
  name: string;
  type: ParameterTypeSeed;
  allowedValues?: string[];      // ENUM only
  minValue?: number;             // INT/FLOAT only, inclusive
  maxValue?: number;             // INT/FLOAT only, inclusive
  defaultValue: string;          // the value every environment starts with
  unit?: string;                 // e.g. 'bars', 'bps', 'USDC', 'ratio', 'seconds'
  description: string;           // one or two sentences an operator understands
  groupName: string;             // display group, e.g. 'Enrichment', 'Costs', 'Risk', 'Filters', 'Training / XGBoost'
  required?: boolean;            // default true
  deprecated?: boolean;
  deprecationReason?: string;
  replacementName?: string;      // must name another entry
  deprecatedValues?: { value: string; reason: string }[];
  hotReloadable?: boolean;       // default false (restart-required)
  category: ParameterCategorySeed;
  critical?: boolean;
  excludedFromFtf?: boolean;
  validator?: string;
  consumedOutside?: string;      // the code outside the drift check's sources that reads it (contract/catalog.ts)            // optional CEL over `value` (typed) and `params` (map of all typed values), must be true
}
