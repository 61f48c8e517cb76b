// What the drift check finds in code: one place a parameter is named, with
// how it is named there (a `consumes` declaration, a read, an environment
// variable), so each offender is reported where a developer can fix it.

export type ReferenceKind =
  /** The runtime agent's `consumes` list (TypeScript). */
  | 'consumes'
  /** A read through a snapshot or config object, e.g. `config.get('X')` (TypeScript). */
  | 'read'
  /** `os.environ[...]`, `os.getenv(...)`, `os.environ.get(...)` (Python). */
  | 'environ'
  /** A read through the named resolver, e.g. `resolve_param('X')` (Python). */
  | 'resolver';

export interface ParameterReference {
  name: string;
  kind: ReferenceKind;
  /** The file, relative to the working directory. */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** The expression as written, shortened: `config.number`, `os.getenv`. */
  via: string;
}

export interface ScanOptions {
  /**
   * Names that look like parameters: environment variables and generic
   * `.get('…')` reads count only when they match (CVNTrade's names all start
   * with CVN_), so `os.environ['HOME']` or `map.get('KEY')` are not drift.
   * Declarations (`consumes`) and resolver reads count whatever the name.
   */
  namePattern: RegExp;
  /** Methods whose first string argument is a parameter read (TypeScript). */
  readMethods: readonly string[];
  /** Function or method names that resolve a parameter (Python). */
  pythonResolvers: readonly string[];
}

export const defaultScanOptions: ScanOptions = {
  namePattern: /^CVN_[A-Z0-9_]+$/,
  readMethods: ['get', 'number', 'boolean', 'string'],
  pythonResolvers: ['resolve_param'],
};
