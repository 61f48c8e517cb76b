// The one canonical mapping from a parameter's catalog category to the safe
// boundary at which a running worker may apply a new value (architecture §7).
// Adding a category is a code change here plus an ADR, never a catalog edit.

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

/** The catalog's ParameterCategory enum (schema.graphql). */
export type ParameterCategory =
  | 'THRESHOLD'
  | 'FILTER_FLAG'
  | 'COOLDOWN'
  | 'RISK_LIMIT'
  | 'MODEL'
  | 'FEATURE_ENGINEERING'
  | 'EXECUTION'
  | 'COST'
  | 'HPO';

/**
 * The boundary of each category when its parameter is hot-reloadable.
 *
 * - THRESHOLD, FILTER_FLAG, COOLDOWN: read once per decision; a new value is
 *   coherent from the next cycle on.
 * - EXECUTION, COST: read when an order is sized or sent, which happens inside
 *   a cycle or a critical section (order submission); both exclude applies.
 * - RISK_LIMIT: a limit that changes under an open position could force or
 *   forbid an exit the position was opened without; it waits for flat.
 * - MODEL, HPO: the model is called inside the cycle (inference is never
 *   interrupted by an apply); a catalog entry that marks one hot-reloadable
 *   means the worker can swap it between cycles.
 * - FEATURE_ENGINEERING: always a restart, even when the catalog says
 *   hot-reloadable. Stateful indicators (EMA, Wilder RSI/ATR, seeds/004 §P3)
 *   are bootstrapped under these values; changing a period mid-stream leaves a
 *   state no bootstrap would have produced, so only a re-bootstrap is correct.
 */
export const categoryBoundary: Readonly<Record<ParameterCategory, Boundary>> = Object.freeze({
  THRESHOLD: Boundary.CycleEnd,
  FILTER_FLAG: Boundary.CycleEnd,
  COOLDOWN: Boundary.CycleEnd,
  EXECUTION: Boundary.CycleEnd,
  COST: Boundary.CycleEnd,
  MODEL: Boundary.CycleEnd,
  HPO: Boundary.CycleEnd,
  RISK_LIMIT: Boundary.NoPosition,
  FEATURE_ENGINEERING: Boundary.Restart,
});

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
