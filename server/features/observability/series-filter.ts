import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { badRequest } from '../../errors/app-error.ts';

type Sql = Prisma.Sql;

/** How one condition compares a name: equal, not equal, matches a regular expression, does not. */
export const matchOperators = ['=', '!=', '=~', '!~'] as const;
export type MatchOperator = (typeof matchOperators)[number];

/** One condition on one dimension (a Grafana ad hoc filter, or a panel's chosen variable). */
export interface Match {
  operator: MatchOperator;
  value: string;
}

/** The dimensions every figure can be narrowed by; the conditions of one dimension all hold (AND). */
export interface ObservabilityFilter {
  environment: Match[];
  worker: Match[];
  parameter: Match[];
  category: Match[];
}

export const filterDimensions = ['environment', 'worker', 'parameter', 'category'] as const satisfies readonly (keyof ObservabilityFilter)[];
export type FilterDimension = (typeof filterDimensions)[number];

export const noFilter = (): ObservabilityFilter => ({ environment: [], worker: [], parameter: [], category: [] });

// A pattern matches the whole name, as Grafana's own regex filters do; the
// pattern is a bound parameter, evaluated by PostgreSQL's regex engine (no
// backtracking blow-up in the server process).
const anchored = (pattern: string) => `^(?:${pattern})$`;

const isNegative = (match: Match) => match.operator === '!=' || match.operator === '!~';
const positive = (match: Match): Match => ({ operator: match.operator === '!=' ? '=' : match.operator === '!~' ? '=~' : match.operator, value: match.value });

/** `expression` (text) against one condition. */
export function matchSql(expression: Sql, { operator, value }: Match): Sql {
  switch (operator) {
    case '=': return Prisma.sql`${expression} = ${value}`;
    case '!=': return Prisma.sql`${expression} IS DISTINCT FROM ${value}`;
    case '=~': return Prisma.sql`COALESCE(${expression} ~ ${anchored(value)}, FALSE)`;
    case '!~': return Prisma.sql`NOT COALESCE(${expression} ~ ${anchored(value)}, FALSE)`;
  }
}

/** Every condition holds for `expression`: `AND …` clauses, nothing when there are none. */
export function andAll(expression: Sql, matches: readonly Match[]): Sql {
  return matches.length === 0 ? Prisma.empty : Prisma.sql`AND ${Prisma.join(matches.map((m) => matchSql(expression, m)), ' AND ')}`;
}

/**
 * For a dimension with several values per row (the keys an apply carried, the
 * parameters a version changed): `=` and `=~` hold when some value matches,
 * `!=` and `!~` when none does. `subquery` is `SELECT 1 FROM … WHERE <correlation>`
 * and `value` the text it compares.
 */
export function andAllOfSet(subquery: Sql, value: Sql, matches: readonly Match[]): Sql {
  if (matches.length === 0) return Prisma.empty;
  const clauses = matches.map((m) => {
    const exists = Prisma.sql`EXISTS (${subquery} AND ${matchSql(value, positive(m))})`;
    return isNegative(m) ? Prisma.sql`NOT ${exists}` : exists;
  });
  return Prisma.sql`AND ${Prisma.join(clauses, ' AND ')}`;
}

/**
 * BAD_REQUEST for a pattern PostgreSQL cannot compile, asked before the
 * figures' queries so a typo in a filter is the caller's mistake, not a
 * fault. One cheap query, and only when there are patterns.
 */
export async function assertPatternsCompile(prisma: { $queryRaw: PrismaClient['$queryRaw'] }, filter: ObservabilityFilter): Promise<void> {
  const patterns = filterDimensions.flatMap((dimension) => filter[dimension].filter((m) => m.operator === '=~' || m.operator === '!~').map((m) => anchored(m.value)));
  if (patterns.length === 0) return;
  try {
    await prisma.$queryRaw`SELECT count(*)::int AS n FROM unnest(${patterns}::text[]) AS p(pattern) WHERE '' ~ p.pattern`;
  } catch (error) {
    if (/regular expression/i.test(error instanceof Error ? error.message : String(error))) {
      throw badRequest(`A filter's regular expression does not compile: ${patterns.join(', ')}.`, { field: 'filters' });
    }
    throw error;
  }
}
