/** An environment's values by parameter name (strings, ADR-59: the catalog type decides how to read them). */
export type ValueMap = Record<string, string>;
