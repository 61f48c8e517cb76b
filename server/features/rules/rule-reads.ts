import type { Prisma, PrismaClient, Rule } from '../../generated/prisma/client.ts';

/** What plugin-prisma selects for the rules a field returns (its `query` argument; a rule has no relations to include). */
type RuleQuery = { select?: Prisma.RuleSelect };

/** The read side of cross-parameter rules (the live check is the service's: it shares the write's rules). */
export function createRuleReads({ prisma }: { prisma: PrismaClient }) {
  return {
    /** Every rule, enabled or not, by name. */
    list: (query: RuleQuery): Promise<Rule[]> => prisma.rule.findMany({ ...query, orderBy: { name: 'asc' } }),

    /** A rule known to exist, e.g. the one a write just returned. */
    existing: (query: RuleQuery, id: string): Promise<Rule> => prisma.rule.findUniqueOrThrow({ ...query, where: { id } }),
  };
}

export type RuleReads = ReturnType<typeof createRuleReads>;
