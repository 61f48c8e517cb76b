import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { RequestLimit } from '../../contract/error-codes.ts';
import { limitExceeded, toGraphQLError } from '../errors/index.ts';
import type { operationLimits } from './operation-limits.ts';

type DocumentLimits = Pick<typeof operationLimits, 'documentLength' | 'tokens' | 'depth' | 'aliases' | 'directives' | 'cost'>;
type ValidationLimit = Extract<RequestLimit, 'depth' | 'aliases' | 'directives' | 'cost'>;

const figure = (n: number) => Math.ceil(n).toLocaleString('en-US');

/** What each refusal tells the caller, with the way out. */
const sentences: Record<ValidationLimit, (found: string, max: number) => string> = {
  depth: (found, max) => `The query nests ${found} levels deep; at most ${max} are served. Fetch the inner fields with a second query.`,
  aliases: (found, max) => `The query uses ${found} aliases; at most ${max} are served. Send several smaller queries instead.`,
  directives: (found, max) => `The query uses ${found} directives; at most ${max} are served.`,
  cost: (found, max) => `The query would cost ${found} (fields, nesting and page sizes), over the budget of ${figure(max)}. Ask for smaller pages or fewer nested lists.`,
};

/** GraphQL Armor puts the measured figure only in its message ("… exceeded, found 21."). */
const foundIn = (error: GraphQLError): number | undefined => {
  const match = /found (\d+(?:\.\d+)?)/.exec(error.message);
  return match ? Math.ceil(Number(match[1])) : undefined;
};

/**
 * A validation protection's options: our typed error (LIMIT_EXCEEDED with the
 * limit, its maximum and what was found) instead of Armor's untyped "Syntax
 * Error: …", reported through the validation context so it travels like any
 * validation error on every transport (propagateOnRejection: false lets
 * validation finish instead of throwing out of it).
 */
function refusal(limit: ValidationLimit, max: number) {
  return {
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => {
      const found = foundIn(error);
      const message = sentences[limit](found === undefined ? `more than ${figure(max)}` : figure(found), max);
      context?.reportError(toGraphQLError(limitExceeded(message, { limit, max, ...(found === undefined ? {} : { found }) })));
    }],
  };
}

/**
 * The document limits of operation-limits.ts as envelop plugins, GraphQL Armor
 * doing the counting: length, then tokens while the document is parsed (a
 * refused document is never parsed to its end), then depth, aliases,
 * directives and cost as validation rules. Introspection is left out of depth
 * and cost: GraphQL's own MaxIntrospectionDepthRule bounds it, and only
 * signed-in callers may run it (use-introspection-gate.ts). Armor's field
 * suggestion blocking is off: the gate hides suggestions from anonymous
 * callers only.
 */
export function useDocumentLimits(limits: DocumentLimits): Plugin[] {
  const armor = new EnvelopArmor({
    blockFieldSuggestion: { enabled: false },
    maxTokens: {
      n: limits.tokens,
      // Thrown from the lexer: parsing stops at the first token over the limit.
      onReject: [() => {
        throw limitExceeded(`The document has more than ${figure(limits.tokens)} tokens; send a smaller query.`, { limit: 'tokens', max: limits.tokens });
      }],
    },
    maxDepth: { n: limits.depth, ignoreIntrospection: true, ...refusal('depth', limits.depth) },
    // Armor lets any number of `__typename` aliases through by default; here they count.
    maxAliases: { n: limits.aliases, allowList: [], ...refusal('aliases', limits.aliases) },
    maxDirectives: { n: limits.directives, ...refusal('directives', limits.directives) },
    costLimit: { maxCost: limits.cost, ignoreIntrospection: true, ...refusal('cost', limits.cost) },
  });
  const documentLength: Plugin = {
    onParse({ params: { source } }) {
      const length = typeof source === 'string' ? source.length : source.body.length;
      if (length > limits.documentLength) {
        throw limitExceeded(
          `The document is ${figure(length)} characters long; at most ${figure(limits.documentLength)} are accepted.`,
          { limit: 'documentLength', max: limits.documentLength, found: length },
        );
      }
    },
  };
  return [documentLength, ...(armor.protect().plugins as Plugin[])];
}
