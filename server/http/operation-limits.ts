import { maxFactors } from '../features/parameter-sets/index.ts';

/**
 * Every limit a GraphQL request meets, with the reason for each number. One
 * viewer's request must never stall the event loop that feeds live workers,
 * and every real operation must pass: the console's documents
 * (web/src/**\/*.graphql), the agent's (runtime-agent/src/wire-documents.ts),
 * GraphiQL's and codegen's introspection. The numbers were measured on those
 * documents (test/operation-limits.test.ts checks every one of them against
 * these limits); the largest of each is quoted beside its limit.
 *
 * Document limits are checked by GraphQL Armor while the document is parsed
 * and validated (use-document-limits.ts); page and row limits before any
 * resolver runs, with the operation's variables (use-page-limits.ts). A refusal
 * is LIMIT_EXCEEDED (contract/error-codes.ts) naming the limit, its maximum and
 * what was asked, on HTTP, both SSE protocols and graphql-ws alike.
 */
export const operationLimits = {
  /**
   * HTTP body and WebSocket message bytes. The largest legitimate request is a
   * save carrying one value at the ceiling a server may allow
   * (contract/validation/value-limits.ts, 1 MiB); twice that leaves room for
   * the rest of the request. Bodies beyond are refused before they are read.
   */
  requestBytes: 2 * 1024 * 1024,
  /**
   * Characters of the GraphQL document. The largest console document is about
   * 2,100 characters (PendingChangeRequests), GraphiQL's introspection about
   * 2,100; thirty times that is a hand-written query, not a generated attack.
   */
  documentLength: 64 * 1024,
  /**
   * Lexical tokens. The largest console document has 213 (AuditTrail),
   * GraphiQL's introspection 183. Counted while parsing, so a document of
   * 280,000 `__typename` aliases stops at token 2,001. It also bounds
   * validation, whose overlapping-fields check grows with the square of the
   * fields: at 3,000 tokens of conflicting fields it ran about 200 ms.
   */
  tokens: 2_000,
  /**
   * Field nesting, introspection aside (GraphQL's own MaxIntrospectionDepthRule
   * bounds that). The deepest console document nests 8 (AuditTrail);
   * `environment → versions → edges → node → environment → …` grows its cost
   * with every level, so two levels of slack and no more.
   */
  depth: 10,
  /**
   * Aliases per operation, `__typename` included. The console uses 2
   * (CompareEnvironments: left and right); each alias repeats a field's whole
   * cost, so 500 aliases of the catalog is 500 catalogs.
   */
  aliases: 15,
  /** Directives per operation. No real document uses one; @include/@skip by hand stay possible. */
  directives: 20,
  /**
   * GraphQL Armor's static cost: fields weighted by nesting, times the literal
   * `first`/`last` of enclosing lists. The console's catalog page
   * (`catalog(first: 1000)` with the entry fields) costs about 231,000, the
   * largest real document; twice that. It cannot see page sizes passed as
   * variables or left to their defaults: `rows` below does.
   */
  cost: 500_000,
  /**
   * Rows an operation may ask for: every connection and sized list counts its
   * page size (variables and default page sizes included) times the page sizes
   * of the lists around it; a field that returns a whole snapshot (a version's
   * values, a set's entries, a diff) counts `snapshotWeight` rows. The console
   * asks for at most about 4,100 (PendingChangeRequests: 100 requests, each
   * with its diff and violations); the agent for one per consumed parameter.
   * Two levels of `versions` with their values (50 × 50 snapshots by default)
   * are refused here, whatever the document says.
   */
  rows: 10_000,
  /** A whole snapshot (575 values today) weighs about as much as 20 catalog rows. */
  snapshotWeight: 20,
  /**
   * Items of a list argument (names, ids, changes, keys...). The catalog has
   * 575 parameters: a save, promotion or consumes list of all of them passes,
   * with room for the catalog to grow. Fields listed in `listCaps` have their own.
   */
  listItems: 1_000,
  /** The page cap of a `first`/`last` missing from `pageCaps` (the test makes every one listed). */
  pageSize: 100,
  /** What a connection returns when the caller gives neither first nor last (schema/builder.ts, defaultConnectionSize). */
  defaultConnectionSize: 50,
} as const;

/**
 * The most rows one page of each connection or sized list may ask for, per
 * argument. Asking for more is refused (LIMIT_EXCEEDED), not clamped: a client
 * that asked for 100,000 and silently got 100 would believe it had everything.
 * A negative size is BAD_REQUEST. Every `first`/`last` argument in the schema
 * must be listed here (test/operation-limits.test.ts checks), so a new
 * connection chooses its cap.
 */
export const pageCaps: Readonly<Record<string, Readonly<Partial<Record<'first' | 'last', number>>>>> = {
  // The console loads the whole catalog in one page (575 entries today);
  // Pothos's maxConnectionSize (schema/builder.ts) is the same 1,000.
  'Query.catalog': { first: 1_000, last: 1_000 },
  // The approvals page asks for 100 pending requests, each with its diff.
  'Query.changeRequests': { first: 100, last: 100 },
  'Query.parameterSets': { first: 100, last: 100 },
  'Query.runs': { first: 100, last: 100 },
  'ParameterSet.runs': { first: 100, last: 100 },
  // A session's epochs (the versions a paper or live run applied) and the audit trail page like runs.
  'Run.epochs': { first: 100, last: 100 },
  'Query.auditEvents': { first: 100, last: 100 },
  // The audit page pages by 50 versions; each carries a full snapshot of values.
  'Environment.versions': { first: 100, last: 100 },
  // The latency chart reads the last 200 applies (the default); a day of a busy desk fits in 1,000.
  'Query.recentApplies': { last: 1_000 },
  // A worker's own recent applies (default 20).
  'Worker.recentApplies': { last: 100 },
};

/**
 * List arguments with a cap of their own (others get `listItems`), and
 * whether their length sizes the field's result for the row count.
 */
export const listCaps: Readonly<Record<string, { readonly max: number; readonly sizesResult: boolean }>> = {
  // `node` by id, one row each: a page of them, not the database.
  'Query.nodes(ids)': { max: 100, sizesResult: true },
  // The agent asks for the parameters it consumes, at most the whole catalog.
  'Environment.values(names)': { max: 1_000, sizesResult: true },
  // An experiment varies at most maxFactors parameters (parameter-sets/experimental-factors.ts).
  'Query.ftfGrid(factors)': { max: maxFactors, sizesResult: true },
  'Query.ftfParticipation(parameters)': { max: maxFactors, sizesResult: true },
  // A federation gateway's references (/subgraph), one row each: a hop of a
  // page of the catalog's size at most; what each selects counts as rows.
  'Query._entities(representations)': { max: 1_000, sizesResult: true },
};

/**
 * Fields whose single value is a whole snapshot of the catalog's size, each
 * counted `snapshotWeight` rows per parent row (a version's values, a diff of
 * two snapshots, the values a change request is checked against).
 */
export const snapshotFields: ReadonlySet<string> = new Set([
  'ConfigVersion.values',
  'ConfigVersion.diffAgainst',
  'ConfigVersion.changes',
  'ParameterSet.values',
  'ParameterSet.catalogSnapshot',
  'ParameterSet.entries',
  'ChangeRequest.diff',
  'ChangeRequest.violations',
  'Environment.values',
  'ParameterSetComparison.values',
  'ParameterSetComparison.catalog',
]);
