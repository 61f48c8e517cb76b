/** What plugin-prisma hands a read model: the columns and relations an operation selects. */
export type Selection = { include?: object; select?: object };

/**
 * The selection with `columns` always read: a batch matches its rows back to
 * its keys by them, whether or not the operation selected them. An `include`
 * (or no selection) reads every column already.
 */
export function withKeyColumns<Q extends Selection>(query: Q, columns: readonly string[]): Q {
  if (!query.select) return query;
  return { ...query, select: { ...query.select, ...Object.fromEntries(columns.map((column) => [column, true])) } };
}
