// One walk over a parsed CEL expression at compile time: the free identifiers
// it reads (to check each is a variable the caller binds) and the first call
// to a function the environment does not define. The library reports both
// only at evaluation time ("unresolved attribute", "unbound function: foo").

import type { CelEnv, parse } from '@bufbuild/cel';

// Identifiers that name CEL types, e.g. `type(value) == double`; they are not variables.
const TYPE_IDENTIFIERS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

// Calls the planner implements itself rather than looking up in the function resolver.
const PLANNER_FUNCTIONS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

export interface ExpressionScan {
  variables: Set<string>;
  unknownFunction: string | undefined;
}

type Expr = ReturnType<typeof parse>['expr'];

/**
 * Walks the AST once at compile time collecting free identifiers (those not
 * bound by a comprehension such as `params.all(k, ...)`) and the first call to
 * a function the environment does not define.
 */
export function scanExpression(env: CelEnv, root: Expr): ExpressionScan {
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
