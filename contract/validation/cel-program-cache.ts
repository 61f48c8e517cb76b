// Compiles CEL source once and evaluates it many times.
//
// @bufbuild/cel offers `run(source, bindings)`, which parses and plans on every
// call, and the reusable path `plan(env, parse(source))`, which returns an
// evaluation function. With ~570 validators and a few rules checked on every
// save we take the reusable path and keep the planned functions here, keyed by
// source text (identical validators share one program). The cache is an object
// made by a factory, not a module singleton, so tests and the browser each get
// their own and nothing leaks between them.
//
// Besides parsing, compile() does two static checks that the library only
// reports at evaluation time ("unresolved attribute", "unbound function: foo"):
// every free identifier must be a variable the caller binds, and every function
// must exist in the environment. An operator saving `parms.CVN_X > 1` is told
// at once that `parms` is unknown instead of seeing a rule fail later.

import {
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  isCelType,
  isCelUint,
  parse,
  plan,
  type CelEnv,
  type CelInput,
  type CelResult,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { Violation } from './violation.ts';

/** Variables a validator may use; rules use only `params`. */
export const VALIDATOR_VARIABLES: readonly string[] = ['value', 'params'];
export const RULE_VARIABLES: readonly string[] = ['params'];

export type CelBindings = Readonly<Record<string, CelInput>>;

/**
 * What evaluating an expression came to:
 * - pass: the result was exactly the boolean true;
 * - fail: it evaluated, to anything else (`result` describes it, e.g. "false", "5 (int)");
 * - error: evaluation stopped (missing map key, int/double arithmetic, division by
 *   zero...); `missingKey` is set when a map key or field was absent;
 * - invalid: the source does not compile (or uses a variable not bound here).
 */
export type CelOutcome =
  | { status: 'pass' }
  | { status: 'fail'; result: string }
  | { status: 'error'; message: string; missingKey?: string }
  | { status: 'invalid'; detail: string; violation: Violation };

export interface CelProgram {
  readonly source: string;
  /** Free identifiers the expression reads (e.g. `value`, `params`). */
  readonly variables: readonly string[];
  evaluate(bindings: CelBindings): CelOutcome;
}

export type CelCompileResult =
  | { ok: true; program: CelProgram }
  /** `detail` is the bare reason, for callers that phrase their own sentence. */
  | { ok: false; detail: string; violation: Violation };

export interface CelProgramCache {
  /**
   * Compiles `source` (cached) and checks that it reads only `variables`
   * (default: those of a validator, `value` and `params`).
   */
  compile(source: string, variables?: readonly string[]): CelCompileResult;
  /** Compiles (cached) and evaluates; the bound names are the variables the source may read. */
  evaluate(source: string, bindings: CelBindings): CelOutcome;
  readonly size: number;
  clear(): void;
}

export interface CelProgramCacheOptions {
  /**
   * Upper bound on cached sources. Editing validators creates new sources over
   * the life of a server; past this bound the oldest entries are dropped.
   */
  maxEntries?: number;
}

type CompiledEntry =
  | { ok: true; evaluate: (bindings: CelBindings) => CelResult; variables: readonly string[] }
  | { ok: false; detail: string };

// Identifiers that name CEL types, e.g. `type(value) == double`; they are not variables.
const TYPE_IDENTIFIERS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

// Calls the planner implements itself rather than looking up in the function resolver.
const PLANNER_FUNCTIONS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

export function createCelProgramCache(options: CelProgramCacheOptions = {}): CelProgramCache {
  const maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  // The strings extension (lowerAscii, split, indexOf...) is useful to STRING
  // validators and costs nothing for others; the browser uses the same cache
  // factory so both sides accept the same functions.
  const env = celEnv({ funcs: strings });
  const compiled = new Map<string, CompiledEntry>();
  const programs = new Map<string, CelProgram>();

  function compileEntry(source: string): CompiledEntry {
    let entry = compiled.get(source);
    if (entry === undefined) {
      entry = compileSource(env, source);
      if (compiled.size >= maxEntries) {
        // Maps iterate in insertion order: the first key is the oldest.
        const oldest = compiled.keys().next().value;
        if (oldest !== undefined) {
          compiled.delete(oldest);
          programs.delete(oldest);
        }
      }
      compiled.set(source, entry);
    }
    return entry;
  }

  function programFor(source: string, entry: CompiledEntry & { ok: true }): CelProgram {
    let program = programs.get(source);
    if (program === undefined) {
      const run = entry.evaluate;
      program = { source, variables: entry.variables, evaluate: (bindings) => outcomeOf(run, bindings) };
      programs.set(source, program);
    }
    return program;
  }

  return {
    compile(source, variables = VALIDATOR_VARIABLES) {
      const entry = compileEntry(source);
      if (!entry.ok) return invalid(entry.detail);
      const unbound = unboundVariable(entry.variables, (name) => variables.includes(name));
      if (unbound !== undefined) return invalid(unknownVariableDetail(unbound, variables));
      return { ok: true, program: programFor(source, entry) };
    },
    evaluate(source, bindings) {
      const entry = compileEntry(source);
      if (!entry.ok) return invalidOutcome(entry.detail);
      const unbound = unboundVariable(entry.variables, (name) => Object.hasOwn(bindings, name));
      if (unbound !== undefined) return invalidOutcome(unknownVariableDetail(unbound, Object.keys(bindings)));
      return outcomeOf(entry.evaluate, bindings);
    },
    get size() {
      return compiled.size;
    },
    clear() {
      compiled.clear();
      programs.clear();
    },
  };
}

function compileSource(env: CelEnv, source: string): CompiledEntry {
  if (source.trim() === '') return { ok: false, detail: 'the expression is empty' };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    return { ok: false, detail: describeParseError(error) };
  }
  const scan = scanExpression(env, parsed.expr);
  if (scan.unknownFunction !== undefined) {
    return { ok: false, detail: `unknown function ${scan.unknownFunction}` };
  }
  try {
    const evaluate = plan(env, parsed) as (bindings: CelBindings) => CelResult;
    return { ok: true, evaluate, variables: [...scan.variables] };
  } catch (error) {
    // The planner throws for malformed selections and comprehensions.
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function outcomeOf(evaluate: (bindings: CelBindings) => CelResult, bindings: CelBindings): CelOutcome {
  let result: CelResult;
  try {
    result = evaluate(bindings);
  } catch (error) {
    // plan() already turns throws into CelErrors; this guards against a binding
    // the library cannot convert (e.g. undefined inside a map).
    return { status: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (isCelError(result)) {
    const missingKey = /^(?:field not found|no such key|no such field): (.+)$/.exec(result.message)?.[1];
    return missingKey === undefined
      ? { status: 'error', message: result.message }
      : { status: 'error', message: result.message, missingKey };
  }
  // Only the boolean true passes: a rule that returns 1, "true" or a map is a bug in the rule.
  if (result === true) return { status: 'pass' };
  return { status: 'fail', result: describeCelValue(result) };
}

/** Describes a CEL result for a message: "false", "5 (int)", "1.5 (double)", "\"x\" (string)". */
export function describeCelValue(value: unknown): string {
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value} (int)`;
    case 'number':
      return `${value} (double)`;
    case 'string':
      return `${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)} (string)`;
    default:
      if (value === null) return 'null';
      if (isCelUint(value)) return `${value.value}u (uint)`;
      if (isCelMap(value)) return 'a map';
      if (isCelList(value)) return 'a list';
      if (isCelType(value)) return `the type ${value.name}`;
      if (value instanceof Uint8Array) return 'bytes';
      return 'a message';
  }
}

interface ExpressionScan {
  variables: Set<string>;
  unknownFunction: string | undefined;
}

type Expr = ReturnType<typeof parse>['expr'];

/**
 * Walks the AST once at compile time collecting free identifiers (those not
 * bound by a comprehension such as `params.all(k, ...)`) and the first call to
 * a function the environment does not define.
 */
function scanExpression(env: CelEnv, root: Expr): ExpressionScan {
  const scan: ExpressionScan = { variables: new Set(), unknownFunction: undefined };

  const visit = (expr: Expr | undefined, bound: ReadonlySet<string>): void => {
    if (expr === undefined) return;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'identExpr': {
        const name = kind.value.name;
        if (!bound.has(name) && !TYPE_IDENTIFIERS.has(name)) scan.variables.add(name);
        return;
      }
      case 'selectExpr':
        visit(kind.value.operand, bound);
        return;
      case 'callExpr': {
        const call = kind.value;
        if (scan.unknownFunction === undefined && !PLANNER_FUNCTIONS.has(call.function) && !functionExists(env, call)) {
          scan.unknownFunction = call.function;
        }
        visit(call.target, bound);
        for (const arg of call.args) visit(arg, bound);
        return;
      }
      case 'listExpr':
        for (const element of kind.value.elements) visit(element, bound);
        return;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, bound);
          visit(entry.value, bound);
        }
        return;
      case 'comprehensionExpr': {
        const c = kind.value;
        visit(c.iterRange, bound);
        visit(c.accuInit, bound);
        const inner = new Set(bound);
        for (const name of [c.iterVar, c.iterVar2, c.accuVar]) if (name !== '') inner.add(name);
        visit(c.loopCondition, inner);
        visit(c.loopStep, inner);
        visit(c.result, inner);
        return;
      }
      default:
        return;
    }
  };

  visit(root, new Set());
  return scan;
}

function functionExists(env: CelEnv, call: { function: string; target?: Expr | undefined }): boolean {
  if (env.funcs.find(call.function) !== undefined) return true;
  // `ns.fn(x)` parses as a method call on `ns`; the planner also tries the qualified name.
  const qualifier = call.target === undefined ? undefined : qualifiedName(call.target);
  return qualifier !== undefined && env.funcs.find(`${qualifier}.${call.function}`) !== undefined;
}

function qualifiedName(expr: Expr): string | undefined {
  const kind = expr.exprKind;
  if (kind.case === 'identExpr') return kind.value.name;
  if (kind.case === 'selectExpr' && kind.value.operand !== undefined && !kind.value.testOnly) {
    const operand = qualifiedName(kind.value.operand);
    return operand === undefined ? undefined : `${operand}.${kind.value.field}`;
  }
  return undefined;
}

function unboundVariable(variables: readonly string[], isBound: (name: string) => boolean): string | undefined {
  for (const name of variables) if (!isBound(name)) return name;
  return undefined;
}

function unknownVariableDetail(name: string, available: readonly string[]): string {
  const list = available.length === 0 ? 'none' : available.join(', ');
  return `unknown variable ${name} (available here: ${list})`;
}

/**
 * Parser messages look like "<input>:1:7: found + but expecting end of input";
 * an operator reads "at line 1, column 7: ...". The full list of expected
 * tokens after an empty or broken start is noise, so it becomes "an expression".
 */
function describeParseError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const located = /^<input>:(\d+):(\d+): (.*)$/s.exec(text);
  let detail = located === null ? text : `at line ${located[1]}, column ${located[2]}: ${located[3]}`;
  detail = detail.replace(/but expecting ((?:[^,]+, ){4,}.*)$/s, 'but expecting an expression');
  return detail;
}

function invalid(detail: string): { ok: false; detail: string; violation: Violation } {
  return { ok: false, detail, violation: invalidViolation(detail) };
}

function invalidOutcome(detail: string): CelOutcome {
  return { status: 'invalid', detail, violation: invalidViolation(detail) };
}

function invalidViolation(detail: string): Violation {
  return { code: 'INVALID_EXPRESSION', message: `The expression is not valid CEL: ${detail}.` };
}
