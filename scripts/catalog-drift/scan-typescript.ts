import path from 'node:path';
import ts from 'typescript';
import type { ParameterReference, ScanOptions } from './parameter-reference.ts';

// TypeScript is read with its own compiler: a `consumes` list is usually a
// constant declared in another module (`consumes: paperWorkerParameters`),
// so the checker follows identifiers and imports to the array literal that
// names the parameters, and reports each name where it is written.

export interface TypeScriptScan {
  references: ParameterReference[];
  /** `consumes` values or reads the check cannot resolve to literal names. */
  dynamic: Omit<ParameterReference, 'name' | 'kind'>[];
}

const compilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
  allowJs: false,
  skipLibCheck: true,
  noResolve: false,
  types: [],
};

/** Strips what does not change a value: parentheses, `as const`, `satisfies`, `!`. */
function unwrap(node: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) {
    node = node.expression;
  }
  return node;
}

function literalText(node: ts.Node): string | null {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : null;
}

export function scanTypeScript(files: readonly string[], options: ScanOptions): TypeScriptScan {
  const program = ts.createProgram({ rootNames: [...files], options: compilerOptions });
  const checker = program.getTypeChecker();
  const references: ParameterReference[] = [];
  const dynamic: TypeScriptScan['dynamic'] = [];
  const scanned = new Set(files.map((f) => path.resolve(f)));

  const site = (node: ts.Node, via: string) => {
    const source = node.getSourceFile();
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { file: path.relative(process.cwd(), source.fileName), line: line + 1, column: character + 1, via };
  };

  /** The string names an expression stands for, following identifiers, imports and spreads; null when it is not a constant list. */
  function namesOf(expression: ts.Expression, seen = new Set<ts.Node>()): ts.Node[] | null {
    const node = unwrap(expression);
    if (seen.has(node)) return null;
    seen.add(node);
    if (literalText(node) !== null) return [node];
    if (ts.isArrayLiteralExpression(node)) {
      const names: ts.Node[] = [];
      for (const element of node.elements) {
        const found = namesOf(ts.isSpreadElement(element) ? element.expression : element, seen);
        if (!found) return null;
        names.push(...found);
      }
      return names;
    }
    if (ts.isIdentifier(node)) {
      let symbol = checker.getSymbolAtLocation(node);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      const declaration = symbol?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) {
        return namesOf(declaration.initializer, seen);
      }
      if (declaration && ts.isShorthandPropertyAssignment(declaration)) return null;
    }
    return null;
  }

  function visit(node: ts.Node): void {
    // `consumes: [...]` or `consumes` (shorthand) in an object literal.
    if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && node.name.getText() === 'consumes' && ts.isObjectLiteralExpression(node.parent)) {
      const value = ts.isPropertyAssignment(node) ? node.initializer : node.name;
      const names = namesOf(value);
      if (names) for (const name of names) references.push({ name: literalText(name)!, kind: 'consumes', ...site(name, 'consumes') });
      else dynamic.push(site(node, 'consumes'));
    }
    // `<something>.get('X')`, `.number('X')`, … with a literal first argument.
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && options.readMethods.includes(node.expression.name.text)) {
      const first = node.arguments[0];
      const name = first ? literalText(first) : null;
      if (name !== null && options.namePattern.test(name)) {
        const receiver = node.expression.expression.getText();
        references.push({ name, kind: 'read', ...site(first!, `${receiver.length > 30 ? '…' : receiver}.${node.expression.name.text}`) });
      }
    }
    ts.forEachChild(node, visit);
  }

  for (const source of program.getSourceFiles()) {
    if (scanned.has(path.resolve(source.fileName))) visit(source);
  }
  return { references, dynamic };
}
