import { getOperationAST, GraphQLError, Kind, type DocumentNode, type ExecutionResult, type SelectionSetNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { toGraphQLError, unauthenticated } from '../errors/index.ts';
import type { GraphQLContext } from '../graphql-context.ts';

/**
 * The schema is for signed-in callers: an anonymous `__schema` or `__type` is
 * UNAUTHENTICATED, and an anonymous caller's misspelt field, argument, type
 * or enum value gets GraphQL's message without its "Did you mean …?" (which
 * would spell the schema out one guess at a time). GraphiQL and codegen,
 * signed in, introspect and get suggestions as before.
 */
export function useIntrospectionGate({ knownViewer }: { knownViewer: (initialContext: unknown) => unknown }): Plugin {
  return {
    onValidate({ context, addValidationRule }) {
      if (knownViewer(context) !== null) return undefined;
      // Yoga caches validation results by document and the names of the rules:
      // this rule (it checks nothing) gives anonymous callers their own cache
      // entries, so masked messages are never served to a signed-in caller,
      // nor suggestions to an anonymous one.
      addValidationRule(AnonymousCallerRule);
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map((error) => (error instanceof GraphQLError ? withoutSuggestions(error) : error)));
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      if ((args.contextValue as unknown as GraphQLContext).viewer !== null) return undefined;
      if (selectsIntrospection(args.document, args.operationName)) {
        setResultAndStopExecution({ errors: [introspectionRefused()] });
        return undefined;
      }
      return {
        // Variable values are checked as execution starts (an unknown enum value gets a suggestion too).
        onExecuteDone({ result, setResult }) {
          if (isSingleResult(result) && result.errors?.length) setResult({ ...result, errors: result.errors.map(withoutSuggestions) });
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if ((args.contextValue as unknown as GraphQLContext).viewer !== null) return undefined;
      if (selectsIntrospection(args.document, args.operationName)) {
        setResultAndStopExecution({ errors: [introspectionRefused()] });
        return undefined;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          if (isSingleResult(result) && result.errors?.length) setResult({ ...result, errors: result.errors.map(withoutSuggestions) });
        },
      };
    },
  };
}

/** Checks nothing: see onValidate. Its name is its cache key. */
const AnonymousCallerRule: ValidationRule = function AnonymousCallerRule() {
  return {};
};

const introspectionRefused = () => toGraphQLError(unauthenticated('Sign in to read the schema.'));

const isSingleResult = (result: unknown): result is ExecutionResult =>
  typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);

// graphql-js appends its suggestions as " Did you mean X?" / "Did you mean the enum value X?"; names never contain "?".
const suggestion = /\s*Did you mean [^?]*\?/g;

function withoutSuggestions(error: GraphQLError): GraphQLError {
  if (!error.message.includes('Did you mean')) return error;
  // A copy: yoga caches validation errors, and the original must stay whole.
  return new GraphQLError(error.message.replace(suggestion, ''), {
    nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: error.extensions,
  });
}

/** Introspection fields live on the query root only: its selections and the fragments spread there. */
function selectsIntrospection(document: DocumentNode, operationName?: string | null): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return false;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode): boolean => set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === '__schema' || selection.name.value === '__type';
    if (selection.kind === Kind.INLINE_FRAGMENT) return walk(selection.selectionSet);
    const name = selection.name.value;
    if (seen.has(name)) return false;
    seen.add(name);
    const fragment = fragments.get(name);
    return fragment !== undefined && walk(fragment.selectionSet);
  });
  return walk(operation.selectionSet);
}
