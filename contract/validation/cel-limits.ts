// How much work one CEL expression (a rule or a validator) may ask of the
// process that evaluates it: the server on every save and every live check
// (checkRule), the browser on every keystroke. @bufbuild/cel has no cost
// tracking of its own, and a macro nested in a macro over `params` (575
// entries) already takes 575² steps, so:
// - before parsing, its length and bracket nesting (`sourceLimitProblem`);
//   before planning, its syntax depth and macros (`staticLimitProblem`): few
//   macros, nested at most two deep, and only in short expressions (the work
//   a macro does grows with the text it repeats);
// - while evaluating, every macro step is charged the size of the macro's
//   body, every regular expression its length, and every value a macro builds
//   is measured (`createCelMeter`); evaluation stops at the budget.
// The numbers are in CEL_LIMITS, each with its reason.
// The worst expressions within these limits evaluate in milliseconds
// (cel-limits.test.ts measures them). Everything here runs in the browser too.

import { CelScalar, celEnv, celFunc, celMethod, isCelError, isCelList, isCelMap, parse, type CelFunc } from '@bufbuild/cel';

export interface CelLimits {
  /**
   * Characters. The longest seeded rule (the XGBoost ranges of every
   * timeframe) has 699. Parsing costs 10 to 20 µs a character, and the
   * console's live check parses every new text, so a text is bounded before
   * it is parsed.
   */
  maxLength: number;
  /** Nesting of the syntax tree (calls, operators, selections); seeded expressions nest at most 7. */
  maxDepth: number;
  /** Macros (all, exists, exists_one, map, filter) in one expression. */
  maxMacros: number;
  /** Macros inside macros: 2 allows `params.all(k, [..].exists(..))`; the map nested 7 deep is refused. */
  maxMacroNesting: number;
  /** Characters of an expression that uses a macro. */
  maxLengthWithMacros: number;
  /**
   * Work in one evaluation, in steps: each macro step costs the size of the
   * macro's body (its syntax nodes), and each regular expression matched costs
   * its length (RE2 compiles the pattern on every call). `params.all(k, k != '')`
   * costs about 575 × 5.
   */
  maxSteps: number;
  /** The largest value a macro may build (string characters, list and map entries, counted deep). */
  maxValueSize: number;
}

export const CEL_LIMITS: CelLimits = {
  maxLength: 4_000,
  maxDepth: 100,
  maxMacros: 3,
  maxMacroNesting: 2,
  maxLengthWithMacros: 2_000,
  maxSteps: 20_000,
  maxValueSize: 10_000,
};

type Expr = ReturnType<typeof parse>['expr'];

const figure = (n: number) => n.toLocaleString('en-US');

/**
 * Brackets nested deeper than `limit` outside string literals and comments,
 * counted without parsing: the parser is recursive and overflows the stack on
 * a few hundred levels. Returns the depth reached (stops past the limit).
 */
export function bracketNesting(source: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i += 1) {
    const char = source[i];
    if (char === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (char === '"' || char === "'") {
      const quote = source.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
      i += quote.length;
      while (i < source.length && !source.startsWith(quote, i)) i += source[i] === '\\' ? 2 : 1;
      i += quote.length - 1;
    } else if (char === '(' || char === '[' || char === '{') {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (char === ')' || char === ']' || char === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return deepest;
}

/** What is too large about the text, before it is parsed; undefined when it may be parsed. */
export function sourceLimitProblem(source: string, limits: CelLimits = CEL_LIMITS): string | undefined {
  if (source.length > limits.maxLength) return `it is ${figure(source.length)} characters long; at most ${figure(limits.maxLength)} are accepted`;
  if (bracketNesting(source, limits.maxDepth) > limits.maxDepth) return `it nests brackets more than ${limits.maxDepth} deep`;
  return undefined;
}

/** What is too large about the parsed expression; undefined when it may be planned. */
export function staticLimitProblem(source: string, root: Expr | undefined, limits: CelLimits = CEL_LIMITS): string | undefined {
  let macros = 0;
  let deepestMacro = 0;
  let deepest = 0;
  // Depth-first with an explicit stack: the tree may be as deep as the parser allowed.
  const pending: { expr: Expr | undefined; depth: number; nesting: number }[] = [{ expr: root, depth: 1, nesting: 0 }];
  while (pending.length > 0) {
    const { expr, depth, nesting } = pending.pop()!;
    if (expr === undefined) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limits.maxDepth) return `it nests more than ${limits.maxDepth} levels deep`;
    const push = (child: Expr | undefined, inner = nesting) => pending.push({ expr: child, depth: depth + 1, nesting: inner });
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'selectExpr':
        push(kind.value.operand);
        break;
      case 'callExpr':
        push(kind.value.target);
        for (const arg of kind.value.args) push(arg);
        break;
      case 'listExpr':
        for (const element of kind.value.elements) push(element);
        break;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') push(entry.keyKind.value);
          push(entry.value);
        }
        break;
      case 'comprehensionExpr': {
        macros += 1;
        const c = kind.value;
        // The range is evaluated once, outside the loop; the rest once per step.
        push(c.iterRange);
        push(c.accuInit);
        for (const part of [c.loopCondition, c.loopStep, c.result]) push(part, nesting + 1);
        deepestMacro = Math.max(deepestMacro, nesting + 1);
        break;
      }
      default:
        break;
    }
  }
  if (macros > limits.maxMacros) return `it uses ${macros} macros (all, exists, exists_one, map, filter); at most ${limits.maxMacros} are accepted`;
  if (deepestMacro > limits.maxMacroNesting) return `it nests macros ${deepestMacro} deep; at most ${limits.maxMacroNesting} are accepted`;
  if (macros > 0 && source.length > limits.maxLengthWithMacros) {
    return `it uses a macro and is ${figure(source.length)} characters long; an expression with macros is at most ${figure(limits.maxLengthWithMacros)}`;
  }
  return undefined;
}

/** The function names the meter wraps macro parts in; `@` keeps them out of what a user can write. */
const STEP = '@ucp_macro_step';
const VALUE = '@ucp_macro_value';

/** Syntax nodes under `root`: what one evaluation of it costs, roughly. */
function nodeCount(root: Expr | undefined): number {
  let count = 0;
  const pending: (Expr | undefined)[] = [root];
  while (pending.length > 0) {
    const expr = pending.pop();
    if (expr === undefined) continue;
    count += 1;
    pending.push(...children(expr));
  }
  return count;
}

function children(expr: Expr): (Expr | undefined)[] {
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      return [kind.value.operand];
    case 'callExpr':
      return [kind.value.target, ...kind.value.args];
    case 'listExpr':
      return kind.value.elements;
    case 'structExpr':
      return kind.value.entries.flatMap((entry) => [entry.keyKind.case === 'mapKey' ? entry.keyKind.value : undefined, entry.value]);
    case 'comprehensionExpr':
      return [kind.value.iterRange, kind.value.accuInit, kind.value.loopCondition, kind.value.loopStep, kind.value.result];
    default:
      return [];
  }
}

/** The standard `string.matches(pattern)`, which the meter's own delegates to. */
const findStandardMatches = () => [...(celEnv().funcs.find('matches') ?? [])].find((func) => func.target !== undefined);

export interface CelMeter {
  /** To add to the environment the expressions are planned in. */
  readonly funcs: readonly CelFunc[];
  /** Rewrites a parsed expression (before planning) so that its macros report to the meter. */
  instrument(root: Expr | undefined): void;
  /** Runs one evaluation against a fresh budget; `exceeded` says why it was stopped, if it was. */
  measure<T>(evaluate: () => T): { result: T; exceeded?: string };
}

/**
 * Counts macro steps and measures the values macros build, through two
 * functions wrapped around each macro's loop condition (evaluated once per
 * step) and step (its new accumulator). Past the budget they fail, so the
 * evaluation stops at its next step; the caller refuses the result whatever
 * the failure turned into (CEL's `||` and `&&` absorb errors).
 */
export function createCelMeter(limits: CelLimits = CEL_LIMITS): CelMeter {
  let steps = 0;
  let exceeded: string | undefined;
  // A value's deep size once measured: a macro's accumulator holds the values
  // of the previous steps, measured already.
  let sizes = new WeakMap<object, number>();
  const fail = (reason: string): never => {
    exceeded ??= reason;
    throw new Error(exceeded);
  };
  const sizeOf = (value: unknown): number => {
    if (typeof value === 'string' || value instanceof Uint8Array) return value.length;
    if (value === null || typeof value !== 'object' || !(isCelList(value) || isCelMap(value))) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    let size = 1;
    const add = (item: unknown) => {
      size += sizeOf(item);
      if (size > limits.maxValueSize) fail(`a macro builds a value larger than ${figure(limits.maxValueSize)}`);
    };
    if (isCelList(value)) for (const item of value) add(item);
    else for (const [key, item] of value.entries()) { add(key); add(item); }
    sizes.set(value, size);
    return size;
  };
  const charge = (cost: number) => {
    steps += cost;
    if (steps > limits.maxSteps || exceeded !== undefined) fail(exceeded ?? `it takes more than ${figure(limits.maxSteps)} steps to evaluate`);
  };
  // Called once per macro step with the size of the macro's body.
  const step = celFunc(STEP, [CelScalar.DYN, CelScalar.INT], CelScalar.DYN, (condition, cost) => {
    charge(Number(cost));
    return condition;
  });
  let standardMatches: CelFunc | undefined;
  const matches = celMethod('matches', CelScalar.STRING, [CelScalar.STRING], CelScalar.BOOL, function (this: string, pattern: string) {
    charge(pattern.length);
    standardMatches ??= findStandardMatches();
    const result = standardMatches?.call(0, this, [pattern]);
    if (result === undefined || isCelError(result)) throw new Error(result?.message ?? 'matches is not available');
    return result === true;
  });
  const value = celFunc(VALUE, [CelScalar.DYN], CelScalar.DYN, (accumulator) => {
    // Lists grow by one element a step (map, filter): measure the newest.
    const newest = isCelList(accumulator) && accumulator.size > 0 ? accumulator.get(accumulator.size - 1) : accumulator;
    if (sizeOf(newest) > limits.maxValueSize || (isCelList(accumulator) && accumulator.size > limits.maxValueSize)) {
      fail(`a macro builds a value larger than ${figure(limits.maxValueSize)}`);
    }
    return accumulator;
  });

  // A call built by the parser (so it has the message shapes the planner
  // expects), renamed, with `inner` as its first argument.
  const wrap = (name: string, inner: Expr | undefined, cost?: number): Expr => {
    const call = parse(cost === undefined ? 'f(x)' : `f(x, ${cost})`).expr!;
    if (call.exprKind.case !== 'callExpr' || inner === undefined) throw new Error('unexpected CEL macro shape');
    call.exprKind.value.function = name;
    call.exprKind.value.args[0] = inner;
    return call;
  };

  return {
    funcs: [step, value, matches],
    instrument(root) {
      const pending: (Expr | undefined)[] = [root];
      while (pending.length > 0) {
        const expr = pending.pop();
        if (expr === undefined) continue;
        pending.push(...children(expr));
        if (expr.exprKind.case === 'comprehensionExpr') {
          const c = expr.exprKind.value;
          c.loopCondition = wrap(STEP, c.loopCondition, nodeCount(c.loopCondition) + nodeCount(c.loopStep));
          c.loopStep = wrap(VALUE, c.loopStep);
        }
      }
    },
    measure(evaluate) {
      steps = 0;
      exceeded = undefined;
      sizes = new WeakMap();
      const result = evaluate();
      return exceeded === undefined ? { result } : { result, exceeded };
    },
  };
}
