/**
 * Refuses, as BAD_REQUEST and before any resolver runs, the inputs that would
 * otherwise fail deep inside the server:
 * - a document nested deeper than MAX_DOCUMENT_NESTING: GraphQL's parser is
 *   recursive and overflows the stack at a few thousand levels;
 * - variables nested deeper than MAX_VARIABLE_NESTING: JSON.parse copes, but
 *   everything after it (canonical hashing, JSON.stringify, Prisma) recurses;
 * - a NUL character in any string, in a variable or in a literal: PostgreSQL's
 *   text and jsonb cannot hold one and refuse the whole statement.
 * An envelop plugin, so the same limits hold on HTTP, SSE and graphql-ws.
 */
import type { Plugin } from '@envelop/core';
import { GraphQLError, type ValidationRule } from 'graphql';
import { requestError } from './request-error.ts';

export const MAX_DOCUMENT_NESTING = 64;
export const MAX_VARIABLE_NESTING = 32;

const nulMessage = 'Text must not contain NUL characters (\\u0000).';

/**
 * The deepest nesting of {, [ and ( in a GraphQL document, outside strings
 * and comments; stops counting once past `limit`. One pass, no recursion.
 */
export function documentNesting(source: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i += 1;
    } else if (char === '"') {
      if (source.startsWith('"""', i)) {
        i += 3;
        while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
        i += 2;
      } else {
        i += 1;
        while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      }
    } else if (char === '{' || char === '[' || char === '(') {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === '}' || char === ']' || char === ')') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

/** What is wrong with a request's variables, as a sentence, or undefined. Iterative: the value may be arbitrarily deep. */
export function variablesProblem(variables: unknown): { message: string; field?: string } | undefined {
  if (variables === null || typeof variables !== 'object') return undefined;
  // `field` is the input field nearest the offending value (list items keep
  // their list's name), so a client can point at the form field concerned.
  const stack: { value: unknown; depth: number; name: string; field: string }[] = Object.entries(variables as Record<string, unknown>)
    .map(([name, value]) => ({ value, depth: 1, name, field: name }));
  while (stack.length) {
    const { value, depth, name, field } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return { message: `Variable "$${name}": ${nulMessage}`, field };
    } else if (value !== null && typeof value === 'object') {
      if (depth > MAX_VARIABLE_NESTING) return { message: `Variable "$${name}" nests deeper than ${MAX_VARIABLE_NESTING} levels.`, field };
      const isList = Array.isArray(value);
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (key.includes('\u0000')) return { message: `Variable "$${name}": ${nulMessage}`, field };
        stack.push({ value: inner, depth: depth + 1, name, field: isList ? field : key });
      }
    }
  }
  return undefined;
}

/** A literal string with a NUL character (written "\u0000" in the document). */
const noNulCharacters: ValidationRule = (context) => ({
  StringValue(node) {
    if (node.value.includes('\u0000')) context.reportError(new GraphQLError(nulMessage, { nodes: node }));
  },
});

export function useInputLimits(): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (documentNesting(source, MAX_DOCUMENT_NESTING) > MAX_DOCUMENT_NESTING) {
        throw requestError(`The document nests deeper than ${MAX_DOCUMENT_NESTING} levels.`);
      }
    },
    onValidate({ addValidationRule }) {
      addValidationRule(noNulCharacters);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [requestError(problem.message, problem.field)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = variablesProblem(args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [requestError(problem.message, problem.field)] });
    },
  };
}
