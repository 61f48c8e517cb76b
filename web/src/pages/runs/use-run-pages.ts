import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient, type CombinedError } from 'urql';
import { RunsListDocument, type RunRowFieldsFragment, type RunsListQueryVariables } from '../../gql/graphql.ts';

/** The server's page cap for runs (server/http/operation-limits.ts). */
export const runsPageSize = 100;

export interface RunPages {
  rows: RunRowFieldsFragment[];
  totalCount: number | null;
  hasNextPage: boolean;
  loading: boolean;
  error: CombinedError | null;
  /** Fetches the next page after the last loaded row (cursor); a no-op while one is loading or at the end. */
  loadMore(): void;
  reload(): void;
}

/**
 * The runs the filters select, loaded page by page with the server's cursors
 * as the list scrolls: the server filters, sorts and counts, the browser holds
 * only the pages seen. A change of filters starts over and drops answers to
 * the old ones.
 */
export function useRunPages(variables: Omit<RunsListQueryVariables, 'first' | 'after'>): RunPages {
  const client = useClient();
  const key = JSON.stringify(variables);
  const [state, setState] = useState<{ key: string; rows: RunRowFieldsFragment[]; totalCount: number | null; endCursor: string | null; hasNextPage: boolean; loading: boolean; error: CombinedError | null }>(
    { key, rows: [], totalCount: null, endCursor: null, hasNextPage: false, loading: true, error: null },
  );
  const current = useRef(key);
  const inFlight = useRef(false);
  const [generation, setGeneration] = useState(0);

  const fetchPage = useCallback(async (after: string | null) => {
    inFlight.current = true;
    const forKey = current.current;
    const result = await client.query(RunsListDocument, { ...JSON.parse(forKey), first: runsPageSize, after }, { requestPolicy: 'network-only' }).toPromise();
    if (forKey !== current.current) return;
    inFlight.current = false;
    setState((s) => {
      if (result.error || !result.data) return { ...s, loading: false, error: result.error ?? null };
      const page = result.data.runs;
      return {
        key: forKey,
        rows: after === null ? page.edges.map((e) => e.node) : [...s.rows, ...page.edges.map((e) => e.node)],
        totalCount: page.totalCount,
        endCursor: page.pageInfo.endCursor ?? null,
        hasNextPage: page.pageInfo.hasNextPage,
        loading: false,
        error: null,
      };
    });
  }, [client]);

  useEffect(() => {
    current.current = key;
    setState({ key, rows: [], totalCount: null, endCursor: null, hasNextPage: false, loading: true, error: null });
    void fetchPage(null);
  }, [key, generation, fetchPage]);

  const loadMore = useCallback(() => {
    if (inFlight.current || !state.hasNextPage || state.key !== current.current) return;
    setState((s) => ({ ...s, loading: true }));
    void fetchPage(state.endCursor);
  }, [fetchPage, state.hasNextPage, state.endCursor, state.key]);

  return {
    rows: state.key === key ? state.rows : [],
    totalCount: state.key === key ? state.totalCount : null,
    hasNextPage: state.hasNextPage,
    loading: state.loading,
    error: state.error,
    loadMore,
    reload: useCallback(() => setGeneration((g) => g + 1), []),
  };
}
