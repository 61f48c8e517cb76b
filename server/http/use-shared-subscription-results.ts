import {
  createSourceEventStream,
  execute,
  getOperationAST,
  getVariableValues,
  Kind,
  visit,
  type ASTNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { layerStream } from '../realtime/layered-stream.ts';

/**
 * One execution per event, shared by every subscriber that asked for the same
 * thing. A version published to a thousand workers would otherwise be
 * executed a thousand times (the same selection over the same event object),
 * which is most of the fan-out's cost.
 *
 * Sharing is only sound where the payload depends on nothing but the event,
 * the selection and the caller's permissions, so it is opt-in per root field:
 * `fields` lists those. Subscribers share a result when they subscribed with
 * the same parsed document (yoga caches parsing, so the same query text gives
 * the same document), the same values for the variables used below the root
 * field (the root field's own arguments only shape the event stream), and the
 * same `permissionKey`.
 */
export function useSharedSubscriptionResults<Context>({ fields, permissionKey }: {
  fields: ReadonlySet<string>;
  permissionKey: (context: Context) => string;
}): Plugin<Context & Record<string, unknown>> {
  // event → document → subscriber key → result. Weak on the event: the cache
  // lives exactly as long as some subscriber still holds the event.
  const shared = new WeakMap<object, WeakMap<DocumentNode, Map<string, Promise<ExecutionResult> | ExecutionResult>>>();

  function executeShared(args: ExecutionArgs, key: string, event: unknown): Promise<ExecutionResult> | ExecutionResult {
    const run = () => execute({ ...args, rootValue: event });
    if (typeof event !== 'object' || event === null) return run();
    let byDocument = shared.get(event);
    if (!byDocument) shared.set(event, (byDocument = new WeakMap()));
    let byKey = byDocument.get(args.document);
    if (!byKey) byDocument.set(args.document, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = run()));
    return result;
  }

  return {
    onSubscribe({ args, setSubscribeFn }) {
      const root = sharableRootField(args.document, args.operationName ?? undefined, fields);
      if (!root) return;
      // Keyed on the coerced values (an omitted variable takes its default; an
      // explicit null does not) and on the operation (a document may hold several).
      const coerced = coercedVariables(args);
      if (!coerced) return; // invalid variables: execution reports them, unshared
      // [value] when set, [] when absent (an absent argument takes the field's default; null does not).
      const variables = variablesBelow(root, args.document).map((name) => (Object.hasOwn(coerced, name) ? [coerced[name]] : []));
      const key = [permissionKey(args.contextValue as Context), args.operationName ?? '', JSON.stringify(variables)].join('\u0000');
      setSubscribeFn(async (subscribeArgs) => {
        const stream = await createSourceEventStream(subscribeArgs);
        if (!(Symbol.asyncIterator in stream)) return stream; // refused: an ExecutionResult with errors
        return mapStream(stream as AsyncIterable<unknown>, (event) => executeShared(subscribeArgs, key, event));
      });
    },
  };
}

/** The operation's single root field when it is one of `fields` (no fragments or aliases tricks at the root). */
function sharableRootField(document: DocumentNode, operationName: string | undefined, fields: ReadonlySet<string>): FieldNode | undefined {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'subscription' || operation.selectionSet.selections.length !== 1) return undefined;
  const [selection] = operation.selectionSet.selections;
  return selection?.kind === Kind.FIELD && fields.has(selection.name.value) ? selection : undefined;
}

function coercedVariables(args: ExecutionArgs): Record<string, unknown> | undefined {
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  if (!operation) return undefined;
  const result = getVariableValues(args.schema, operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>);
  return result.coerced;
}

/** Variables referenced anywhere but in the root field's own arguments. */
function variablesBelow(root: FieldNode, document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode | undefined) => {
    if (node) visit(node, { Variable: (variable) => void names.add(variable.name.value) });
  };
  collect(root.selectionSet);
  for (const directive of root.directives ?? []) collect(directive);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) collect(definition);
  return [...names].sort();
}

/** Maps each value of a stream (a layer: no promise hop of its own); return() reaches the source at once. */
function mapStream<T, U>(source: AsyncIterable<T>, map: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const done: IteratorResult<U> = { done: true, value: undefined };
  return layerStream<T, U>(source, {
    step(result) {
      if (result.done) return done;
      const mapped = map(result.value);
      return mapped instanceof Promise ? mapped.then((value) => ({ done: false, value })) : { done: false, value: mapped };
    },
  });
}
