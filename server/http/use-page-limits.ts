import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AppError, badRequest, limitExceeded, toGraphQLError } from '../errors/index.ts';
import type { listCaps as ListCaps, operationLimits, pageCaps as PageCaps, snapshotFields as SnapshotFields } from './operation-limits.ts';

export interface PageLimitOptions {
  limits: Pick<typeof operationLimits, 'rows' | 'snapshotWeight' | 'listItems' | 'pageSize' | 'defaultConnectionSize'>;
  pageCaps: typeof PageCaps;
  listCaps: typeof ListCaps;
  snapshotFields: typeof SnapshotFields;
}

const figure = (n: number) => n.toLocaleString('en-US');

/**
 * Page sizes, list lengths and the rows an operation may ask for, checked
 * with its variables before any resolver runs (onExecute / onSubscribe, so
 * HTTP, both SSE protocols and graphql-ws alike). GraphQL Armor's cost limit
 * sees only literal page sizes; this sees `first: $n` and the default sizes,
 * which is what the database and memory pay for.
 */
export function usePageLimits(options: PageLimitOptions): Plugin {
  const refuse = (args: ExecutionArgs, stop: (result: { errors: GraphQLError[] }) => void) => {
    const { refusal } = inspectOperation(args, options);
    if (refusal) stop({ errors: [toGraphQLError(refusal)] });
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
  };
}

/**
 * The rows an operation asks for and the first limit it goes over, if any.
 * Nothing is checked when GraphQL itself will refuse the operation (unknown
 * operation, bad variables).
 */
export function inspectOperation({ schema, document, operationName, variableValues }: ExecutionArgs, options: PageLimitOptions): { rows: number; refusal?: AppError } {
  const operation = getOperationAST(document, operationName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root) return { rows: 0 };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], (variableValues ?? {}) as Record<string, unknown>, { maxErrors: 1 });
  if (coerced.errors) return { rows: 0 };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const walker: Walker = { schema, fragments, fragmentRows: new Map(), variables: coerced.coerced, options };
  let rows: number;
  try {
    rows = rowsOf(walker, operation.selectionSet, root);
  } catch (error) {
    if (error instanceof AppError) return { rows: 0, refusal: error };
    throw error;
  }
  const { rows: budget, snapshotWeight } = options.limits;
  if (rows <= budget) return { rows };
  const found = Math.ceil(rows);
  return {
    rows,
    refusal: limitExceeded(
      `The operation asks for ${figure(found)} rows, more than the ${figure(budget)} served at once (page sizes multiply through nested lists, and a whole snapshot of values counts ${snapshotWeight}). Ask for smaller pages or fewer nested lists.`,
      { limit: 'rows', max: budget, found },
    ),
  };
}

interface Walker {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  /** A fragment's rows, counted once however often it is spread (rows scale with the page sizes around them). */
  fragmentRows: Map<string, number>;
  variables: Record<string, unknown>;
  options: PageLimitOptions;
}

/** The rows one evaluation of `set` asks for, checking every field's size arguments on the way. */
function rowsOf(walker: Walker, set: SelectionSetNode, parent: GraphQLCompositeType): number {
  let rows = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walker.schema.getType(selection.typeCondition.name.value) : parent;
      if (type && isCompositeType(type)) rows += rowsOf(walker, selection.selectionSet, type);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      let fragment = walker.fragmentRows.get(name);
      if (fragment === undefined) {
        const definition = walker.fragments.get(name);
        const type = definition ? walker.schema.getType(definition.typeCondition.name.value) : undefined;
        fragment = definition && type && isCompositeType(type) ? rowsOf(walker, definition.selectionSet, type) : 0;
        walker.fragmentRows.set(name, fragment);
      }
      rows += fragment;
      continue;
    }
    if (!(isObjectType(parent) || isInterfaceType(parent))) continue;
    const field = parent.getFields()[selection.name.value];
    // __typename and introspection, or a field validation already refused.
    if (!field) continue;
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, selection, walker.variables);
    } catch {
      continue; // GraphQL reports a bad argument itself.
    }
    const key = `${parent.name}.${field.name}`;
    const type = getNamedType(field.type);
    const size = sizeOf(walker.options, key, field.args.map((a) => ({ name: a.name, type: a.type })), args, type.name);
    const inner = selection.selectionSet && isCompositeType(type) ? rowsOf(walker, selection.selectionSet, type) : 0;
    if (size !== undefined) rows += size + size * inner;
    else rows += (walker.options.snapshotFields.has(key) ? walker.options.limits.snapshotWeight : 0) + inner;
  }
  return rows;
}

/**
 * Checks the field's size arguments (page caps, list lengths) and returns how
 * many rows one call returns when the caller sizes it: a connection's page
 * (its default when neither first nor last is given), or the length of a list
 * argument that sizes the result (nodes(ids), values(names)).
 */
function sizeOf(options: PageLimitOptions, key: string, argDefs: { name: string; type: GraphQLInputType }[], args: Record<string, unknown>, returns: string): number | undefined {
  let size: number | undefined;
  for (const { name, type } of argDefs) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    if ((name === 'first' || name === 'last') && typeof value === 'number') {
      if (value < 0) throw badRequest(`${key}(${name}) must be 0 or more, not ${value}.`, { field: name });
      const max = options.pageCaps[key]?.[name] ?? options.limits.pageSize;
      if (value > max) {
        throw limitExceeded(`${key} serves at most ${figure(max)} at a time; ${name}: ${figure(value)} asks for more. Page through the rest.`, { limit: 'pageSize', max, found: value, field: `${key}(${name})` });
      }
      size = Math.max(size ?? 0, value);
      continue;
    }
    const listCap = options.listCaps[`${key}(${name})`];
    checkLists(options, `${key}(${name})`, type, value, listCap?.max);
    if (listCap?.sizesResult && Array.isArray(value)) size = value.length;
  }
  const connection = returns.endsWith('Connection') && argDefs.some((a) => a.name === 'first');
  if (size === undefined && connection) size = options.limits.defaultConnectionSize;
  return size;
}

/** Every list in an argument, at any depth of its input objects, against its cap (JSON scalars are the domain's). */
function checkLists(options: PageLimitOptions, path: string, type: GraphQLInputType, value: unknown, cap: number = options.limits.listItems): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return;
    if (value.length > cap) {
      throw limitExceeded(`${path} takes at most ${figure(cap)} items; this request sends ${figure(value.length)}. Split it into smaller requests.`, { limit: 'listLength', max: cap, found: value.length, field: path });
    }
    for (const item of value) checkLists(options, path, nullable.ofType, item);
    return;
  }
  if (isInputObjectType(nullable) && typeof value === 'object') {
    const fields = nullable.getFields();
    for (const name of Object.keys(value)) {
      const field = fields[name];
      if (field) checkLists(options, `${path.slice(0, -1)}.${name})`, field.type, (value as Record<string, unknown>)[name]);
    }
  }
}
