import type { ParameterReference, ScanOptions } from './parameter-reference.ts';

// Python has no parser in this toolchain, so the scanner tokenizes: comments
// are dropped and strings (docstrings included) become single tokens, which
// is all the patterns below need. Only plain string literals name a
// parameter; an f-string or a variable is a dynamic read the check cannot
// follow (reported apart, so it is not silently skipped).

interface Token {
  kind: 'name' | 'string' | 'op';
  text: string;
  /** The literal's value, for strings. */
  value?: string;
  line: number;
  column: number;
  /** The string had a prefix with f (formatted): its value is not a constant. */
  formatted?: boolean;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (start: number) => ({ line, column: start - lineStart + 1 });
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') { line++; i++; lineStart = i; continue; }
    if (c === '#') { while (i < source.length && source[i] !== '\n') i++; continue; }
    if (/\s/.test(c)) { i++; continue; }
    const prefix = /^([rRbBuUfF]{0,2})(['"])/.exec(source.slice(i, i + 3));
    if (prefix && (prefix[1] === '' || /[A-Za-z]/.test(c))) {
      const start = i;
      const position = at(start);
      const quote = prefix[2]!;
      i += prefix[1]!.length;
      const triple = source.startsWith(quote.repeat(3), i);
      const close = triple ? quote.repeat(3) : quote;
      i += close.length;
      const raw = /r/i.test(prefix[1]!);
      let value = '';
      while (i < source.length && !source.startsWith(close, i)) {
        if (source[i] === '\\' && !raw) { value += source[i + 1] ?? ''; i += 2; continue; }
        if (source[i] === '\n') {
          if (!triple) break; // an unterminated literal ends at the line
          line++; lineStart = i + 1;
        }
        value += source[i];
        i++;
      }
      i += close.length;
      tokens.push({ kind: 'string', text: source.slice(start, i), value, ...position, formatted: /f/i.test(prefix[1]!) });
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 200));
    if (name) {
      tokens.push({ kind: 'name', text: name[0], ...at(i) });
      i += name[0].length;
      continue;
    }
    tokens.push({ kind: 'op', text: c, ...at(i) });
    i++;
  }
  return tokens;
}

export interface PythonScan {
  references: ParameterReference[];
  /** Reads whose name is not a literal (file:line and the expression): the check cannot know what they read. */
  dynamic: Omit<ParameterReference, 'name' | 'kind'>[];
}

/**
 * The parameter references of one Python source: `os.environ["X"]`,
 * `os.environ.get("X")`, `os.getenv("X")` (and the same after
 * `from os import environ, getenv`), and `<resolver>("X")` or
 * `obj.<resolver>("X")` for each configured resolver name.
 */
export function scanPython(file: string, source: string, options: ScanOptions): PythonScan {
  const tokens = tokenize(source);
  const references: ParameterReference[] = [];
  const dynamic: PythonScan['dynamic'] = [];
  const is = (k: number, text: string) => tokens[k]?.text === text && tokens[k]?.kind !== 'string';
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k]!;
    if (token.kind !== 'name') continue;
    // Not the attribute of something else (obj.environ), unless it is os's.
    const qualified = is(k - 1, '.');
    const viaOs = qualified && is(k - 2, 'os');
    let via: string | null = null;
    let argument = -1;
    let kind: ParameterReference['kind'] = 'environ';
    if (token.text === 'environ' && (!qualified || viaOs)) {
      if (is(k + 1, '[')) { via = `${viaOs ? 'os.' : ''}environ[]`; argument = k + 2; }
      else if (is(k + 1, '.') && is(k + 2, 'get') && is(k + 3, '(')) { via = `${viaOs ? 'os.' : ''}environ.get`; argument = k + 4; }
    } else if (token.text === 'getenv' && (!qualified || viaOs) && is(k + 1, '(')) {
      via = `${viaOs ? 'os.' : ''}getenv`;
      argument = k + 2;
    } else if (options.pythonResolvers.includes(token.text) && is(k + 1, '(') && !is(k - 1, 'def')) {
      via = token.text;
      argument = k + 2;
      kind = 'resolver';
    }
    if (via === null) continue;
    const arg = tokens[argument];
    const closes = is(argument + 1, kind === 'environ' && via.endsWith('[]') ? ']' : ')') || is(argument + 1, ',');
    const site = { file, line: token.line, column: token.column, via };
    if (!arg || arg.kind !== 'string' || arg.formatted || !closes) {
      dynamic.push(site);
      continue;
    }
    if (kind === 'environ' && !options.namePattern.test(arg.value!)) continue;
    references.push({ name: arg.value!, kind, ...site, line: arg.line, column: arg.column });
  }
  return { references, dynamic };
}
