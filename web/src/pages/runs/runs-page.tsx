import { useMemo, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import type { RunOrder } from '../../gql/graphql.ts';
import { filterVariables, isFiltered, readFilters, writeFilters, type RunFilters } from './run-filters.ts';
import { RunsFilterForm } from './runs-filter-form.tsx';
import { RunsTable } from './runs-table.tsx';
import { useRunPages } from './use-run-pages.ts';

const sortKeys = ['NAME', 'KIND', 'STATUS', 'ENVIRONMENT', 'CONFIG_VERSION', 'PARAMETER_SET', 'STARTED_BY', 'STARTED_AT', 'ENDED_AT'];
const sorts = sortKeys.flatMap((k) => [`${k}_ASC`, `${k}_DESC`]) as RunOrder[];

/** Every run and session: filtered, sorted and paged by the server, the filters in the address. */
export default function RunsPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => readFilters(search, sorts), [search]);
  const variables = useMemo(() => filterVariables(filters), [filters]);
  const pages = useRunPages(variables);
  const [selected, setSelected] = useState<string[]>([]);
  const apply = (next: RunFilters) => navigate(`/runs${writeFilters(next)}`);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id].slice(-2)));
  const count = pages.totalCount;

  return (
    <main id="main" className="page runs-page">
      <div className="page-head">
        <h1>Runs</h1>
        <span className="muted">Experiments, backtests, paper and live sessions</span>
      </div>
      <RunsFilterForm filters={filters} onApply={(next) => { setSelected([]); apply(next); }} />
      <div className="selection-bar">
        <span className="muted" role="status" data-testid="run-count">
          {count === null ? 'Counting runs…' : `${count.toLocaleString('en-US')} ${count === 1 ? 'run' : 'runs'}${isFiltered(filters) ? (count === 1 ? ' matches the filters' : ' match the filters') : ''}`}
          {count !== null && pages.rows.length < count ? ` · ${pages.rows.length.toLocaleString('en-US')} loaded, scroll for more` : ''}
        </span>
        <span>{selected.length === 0 ? 'Select two runs to compare them.' : `${selected.length} of 2 selected`}</span>
        <button type="button" disabled={selected.length !== 2} onClick={() => navigate(`/runs/compare?a=${encodeURIComponent(selected[0]!)}&b=${encodeURIComponent(selected[1]!)}`)}>Compare selected</button>
      </div>
      {pages.error && <QueryError error={pages.error} retry={pages.reload} />}
      {count === null && !pages.error && <Loading label="Loading runs…" />}
      {count === 0 && <EmptyState>{isFiltered(filters) ? 'No run matches these filters. Clear them to see every run.' : 'No run has been registered yet.'}</EmptyState>}
      {count !== null && count > 0 && (
        <RunsTable rows={pages.rows} sort={filters.sort} onSort={(sort) => apply({ ...filters, sort })} hasNextPage={pages.hasNextPage} loadMore={pages.loadMore} selected={selected} onToggle={toggle} />
      )}
    </main>
  );
}
