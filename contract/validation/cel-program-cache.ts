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
// must exist in the environment (cel-expression-scan.ts). An operator saving
// `parms.CVN_X > 1` is told at once that `parms` is unknown instead of seeing a
// rule fail later. And it bounds what an expression may cost (cel-limits.ts).

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
import { scanExpression } from './cel-expression-scan.ts';
import { CEL_LIMITS, createCelMeter, sourceLimitProblem, staticLimitProblem, type CelLimits, type CelMeter } from './cel-limits.ts';
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
  /** Length, nesting, macro and evaluation limits (cel-limits.ts); CEL_LIMITS by default. */
  limits?: CelLimits;
}

type CompiledEntry =
  | { ok: true; evaluate: (bindings: CelBindings) => CelResult; variables: readonly string[] }
  | { ok: false; detail: string };

export function createCelProgramCache(options: CelProgramCacheOptions = {}): CelProgramCache {
  const maxEntries = Math.max(1, options.maxEntries ?? 10_000);
  // The strings extension (lowerAscii, split, indexOf...) is useful to STRING
  // validators and costs nothing for others; the browser uses the same cache
  // factory so both sides accept the same functions.
  const limits = options.limits ?? CEL_LIMITS;
  // Counts macro steps and measures what macros build (cel-limits.ts); its
  // functions join the environment so instrumented expressions can call them.
  const meter = createCelMeter(limits);
  const env = celEnv({ funcs: [...strings, ...meter.funcs] });
  // One evaluation against a fresh budget; over it, the expression is refused whatever it came to.
  const measured = (run: (bindings: CelBindings) => CelResult, bindings: CelBindings): CelOutcome => {
    const { result, exceeded } = meter.measure(() => outcomeOf(run, bindings));
    return exceeded === undefined ? result : invalidOutcome(exceeded);
  };
  const compiled = new Map<string, CompiledEntry>();
  const programs = new Map<string, CelProgram>();

  function compileEntry(source: string): CompiledEntry {
    let entry = compiled.get(source);
    if (entry === undefined) {
      entry = compileSource(env, source, limits, meter);
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
      program = { source, variables: entry.variables, evaluate: (bindings) => measured(run, bindings) };
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
      return measured(entry.evaluate, bindings);
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

function compileSource(env: CelEnv, source: string, limits: CelLimits, meter: CelMeter): CompiledEntry {
  if (source.trim() === '') return { ok: false, detail: 'the expression is empty' };
  const tooLarge = sourceLimitProblem(source, limits);
  if (tooLarge !== undefined) return { ok: false, detail: tooLarge };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    return { ok: false, detail: describeParseError(error) };
  }
  const tooCostly = staticLimitProblem(source, parsed.expr, limits);
  if (tooCostly !== undefined) return { ok: false, detail: tooCostly };
  const scan = scanExpression(env, parsed.expr);
  if (scan.unknownFunction !== undefined) {
    return { ok: false, detail: `unknown function ${scan.unknownFunction}` };
  }
  // After the scan (it would see the meter's functions as the user's).
  meter.instrument(parsed.expr);
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
