/**
 * The catalog's enums and the one answer to "where may a change land in a
 * running worker" (architecture §7, the safe-boundary contract). The server's
 * Prisma enums must equal these lists (contract/catalog.test.ts checks it);
 * adding a category is a code change here plus an ADR, never a catalog edit.
 */

/** How a stored value string is parsed (ADR-59 stores strings). */
export const PARAMETER_TYPES = ['ENUM', 'BOOL', 'INT', 'FLOAT', 'STRING'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** The catalog's ParameterCategory enum (prisma/schema.prisma, schema.graphql). */
export const PARAMETER_CATEGORIES = [
  'THRESHOLD',
  'FILTER_FLAG',
  'COOLDOWN',
  'RISK_LIMIT',
  'MODEL',
  'FEATURE_ENGINEERING',
  'EXECUTION',
  'COST',
  'HPO',
] as const;
export type ParameterCategory = (typeof PARAMETER_CATEGORIES)[number];

/** Where a change may land in a running worker. */
export const Boundary = {
  /** Between two decision cycles, outside any critical section. */
  CycleEnd: 'CYCLE_END',
  /**
   * Between cycles, outside critical sections, with no position open: at the
   * position close or the next heartbeat after the change arrived, whichever is later.
   */
  NoPosition: 'NO_POSITION',
  /** Never applied live: the worker keeps its boot value and reports a pending restart. */
  Restart: 'RESTART',
} as const;
export type Boundary = (typeof Boundary)[keyof typeof Boundary];

/**
 * The boundary of each category when its parameter is marked hot-reloadable.
 * Architecture §7 gives exactly four categories a live boundary:
 *
 * - THRESHOLD, FILTER_FLAG, COOLDOWN: read once per decision; a new value is
 *   coherent from the next cycle on.
 * - RISK_LIMIT: a limit that changes under an open position could force or
 *   forbid an exit the position was opened without; it waits for flat.
 *
 * Every other category restarts, whatever the catalog's flag says: §7 routes
 * them (model type, feature-engineering version) to the restart-required
 * branch and widening the set takes an ADR. FEATURE_ENGINEERING in particular
 * can never be live: stateful indicators (EMA, Wilder RSI/ATR, seeds/004 §P3)
 * are bootstrapped under these values, and changing a period mid-stream leaves
 * a state no bootstrap would have produced. MODEL, HPO, EXECUTION and COST have
 * no boundary in §7 either (inference and order sizing run inside the cycle).
 */
export const categoryBoundary: Readonly<Record<ParameterCategory, Boundary>> = Object.freeze({
  THRESHOLD: Boundary.CycleEnd,
  FILTER_FLAG: Boundary.CycleEnd,
  COOLDOWN: Boundary.CycleEnd,
  RISK_LIMIT: Boundary.NoPosition,
  MODEL: Boundary.Restart,
  FEATURE_ENGINEERING: Boundary.Restart,
  EXECUTION: Boundary.Restart,
  COST: Boundary.Restart,
  HPO: Boundary.Restart,
});

/**
 * The categories whose parameters may be marked hot-reloadable: those with a
 * live boundary above. The seed catalog is checked against this list; a
 * hot-reloadable entry of any other category would be a flag the agent ignores.
 */
export const HOT_RELOADABLE_CATEGORIES: readonly ParameterCategory[] = Object.freeze(
  PARAMETER_CATEGORIES.filter((category) => categoryBoundary[category] !== Boundary.Restart),
);

/** True when parameters of `category` can be applied live (a known category with a live boundary). */
export function isHotReloadableCategory(category: string): boolean {
  return (HOT_RELOADABLE_CATEGORIES as readonly string[]).includes(category);
}

export interface BoundaryInput {
  category: string;
  hotReloadable: boolean;
}

/**
 * The boundary of one catalog entry. Not hot-reloadable → RESTART whatever the
 * category; an unknown category (a server ahead of this code) → RESTART too,
 * the only choice that cannot apply a value at an unsafe moment.
 */
export function boundaryFor({ category, hotReloadable }: BoundaryInput): Boundary {
  if (!hotReloadable) return Boundary.Restart;
  return Object.hasOwn(categoryBoundary, category) ? categoryBoundary[category as ParameterCategory] : Boundary.Restart;
}

/**
 * A catalog entry's `consumedOutside`: the code that reads the parameter
 * outside the sources the drift check scans (`npm run catalog:drift`), e.g.
 * `python-training-harness` for the 455 S17 keys. Lower-case words joined by
 * hyphens, at most 64 characters; null: the scanned code must consume it.
 */
export const CONSUMER_LABEL_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const CONSUMER_LABEL_MAX_LENGTH = 64;

/** Why `label` is not a consumer label, or null. */
export function consumerLabelProblem(label: string): string | null {
  if (label.length > CONSUMER_LABEL_MAX_LENGTH) return `A consumer is named in at most ${CONSUMER_LABEL_MAX_LENGTH} characters.`;
  if (!CONSUMER_LABEL_PATTERN.test(label)) return `Name the consumer in lower-case words joined by hyphens, e.g. python-training-harness; got "${label.slice(0, 80)}".`;
  return null;
}
