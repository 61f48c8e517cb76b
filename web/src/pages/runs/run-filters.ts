import type { RunKind, RunOrder, RunOutcome, RunStatus, RunsListQueryVariables } from '../../gql/graphql.ts';

/** What the runs page filters and sorts by; it lives in the address (?kind=…&sort=…) so a view can be linked. */
export interface RunFilters {
  q?: string;
  kind?: RunKind;
  status?: RunStatus;
  outcome?: RunOutcome;
  env?: string;
  version?: number;
  by?: string;
  set?: string;
  /** yyyy-mm-dd, local days, inclusive. */
  from?: string;
  to?: string;
  sort: RunOrder;
}

export const runKinds = ['EXPERIMENT', 'BACKTEST', 'PAPER', 'LIVE'] as const satisfies readonly RunKind[];
export const runStatuses = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const satisfies readonly RunStatus[];
export const runOutcomes = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const satisfies readonly RunOutcome[];
export const defaultSort: RunOrder = 'STARTED_AT_DESC';

const textKeys = ['q', 'env', 'by', 'set', 'from', 'to'] as const;
const oneOf = <T extends string>(values: readonly T[], raw: string | null): T | undefined => (values.includes(raw as T) ? (raw as T) : undefined);
const day = /^\d{4}-\d{2}-\d{2}$/;

/** The filters in `search` (location.search); unknown or malformed values are left out, not guessed. */
export function readFilters(search: string, sorts: readonly RunOrder[]): RunFilters {
  const params = new URLSearchParams(search);
  const filters: RunFilters = { sort: oneOf(sorts, params.get('sort')) ?? defaultSort };
  for (const key of textKeys) {
    const value = params.get(key)?.trim();
    if (value && ((key !== 'from' && key !== 'to') || day.test(value))) filters[key] = value;
  }
  const kind = oneOf(runKinds, params.get('kind'));
  const status = oneOf(runStatuses, params.get('status'));
  const outcome = oneOf(runOutcomes, params.get('outcome'));
  const version = Number(params.get('version'));
  return {
    ...filters,
    ...(kind ? { kind } : {}),
    ...(status ? { status } : {}),
    ...(outcome ? { outcome } : {}),
    ...(Number.isInteger(version) && version > 0 ? { version } : {}),
  };
}

/** The address's query string for `filters` (the default sort left out). */
export function writeFilters(filters: RunFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '' || (key === 'sort' && value === defaultSort)) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const isFiltered = (filters: RunFilters) => Object.entries(filters).some(([key, value]) => key !== 'sort' && value !== undefined);

/** The runs query's variables; days become the local day's bounds. */
export function filterVariables(f: RunFilters): Omit<RunsListQueryVariables, 'first' | 'after'> {
  const startOf = (d: string) => new Date(`${d}T00:00:00`);
  const dayAfter = (d: string) => { const next = startOf(d); next.setDate(next.getDate() + 1); return next; };
  return {
    search: f.q ?? null,
    kind: f.kind ?? null,
    status: f.status ?? null,
    outcome: f.outcome ?? null,
    environment: f.env ?? null,
    configVersion: f.version ?? null,
    startedBy: f.by ?? null,
    parameterSetHash: f.set ?? null,
    startedAfter: f.from ? startOf(f.from).toISOString() : null,
    startedBefore: f.to ? dayAfter(f.to).toISOString() : null,
    orderBy: f.sort,
  };
}
