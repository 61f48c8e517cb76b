import { useQuery } from 'urql';
import type { FormEvent } from 'react';
import { runKindLabel, runStatusLabel } from '../../components/run-badges.tsx';
import { EnvironmentsDocument } from '../../gql/graphql.ts';
import { runKinds, runOutcomes, runStatuses, type RunFilters } from './run-filters.ts';
import { SelectFilter } from './select-filter.tsx';

/**
 * The runs page's filters as one form: applied on submit (a search of 10,000
 * runs per keystroke would only queue requests), cleared at once.
 */
export function RunsFilterForm({ filters, onApply }: { filters: RunFilters; onApply(filters: RunFilters): void }) {
  const [{ data }] = useQuery({ query: EnvironmentsDocument });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim() || undefined;
    const version = Number(text('version'));
    onApply({
      sort: filters.sort,
      q: text('q'),
      kind: text('kind') as RunFilters['kind'],
      status: text('status') as RunFilters['status'],
      outcome: text('outcome') as RunFilters['outcome'],
      env: text('env'),
      version: Number.isInteger(version) && version > 0 ? version : undefined,
      by: text('by'),
      set: text('set'),
      from: text('from'),
      to: text('to'),
    });
  };
  // On a phone the list matters more than the rarer filters: they fold away unless in use.
  const moreActive = [filters.outcome, filters.env, filters.version, filters.by, filters.set, filters.from, filters.to].some((v) => v !== undefined);
  // key: a filter changed by the address (back, a link) resets the fields to it.
  return (
    <form key={JSON.stringify(filters)} className="filters" onSubmit={submit} aria-label="Filter runs" role="search">
      <span className="inline-field grow"><label htmlFor="runs-q">Search</label><input id="runs-q" name="q" type="search" defaultValue={filters.q} placeholder="name, set hash or run id" /></span>
      <SelectFilter name="kind" label="Kind" value={filters.kind} options={runKinds.map((k) => [k, runKindLabel(k)])} />
      <SelectFilter name="status" label="Status" value={filters.status} options={runStatuses.map((k) => [k, runStatusLabel(k)])} />
      <details className="more-filters" open={moreActive || undefined}>
        <summary>More filters{moreActive ? ' (in use)' : ''}</summary>
        <div className="filters">
          <SelectFilter name="outcome" label="Outcome" value={filters.outcome} options={runOutcomes.map((k) => [k, runStatusLabel(k)])} />
          <SelectFilter name="env" label="Environment" value={filters.env} options={(data?.environments.map((e) => e.name) ?? (filters.env ? [filters.env] : [])).map((n) => [n, n])} />
          <span className="inline-field"><label htmlFor="runs-version">Config version</label><input id="runs-version" name="version" type="number" min={1} step={1} defaultValue={filters.version} style={{ width: '6rem' }} /></span>
          <span className="inline-field"><label htmlFor="runs-by">Started by</label><input id="runs-by" name="by" defaultValue={filters.by} placeholder="user or token:name" /></span>
          <span className="inline-field"><label htmlFor="runs-set">Parameter set</label><input id="runs-set" name="set" defaultValue={filters.set} placeholder="full hash" /></span>
          <span className="inline-field"><label htmlFor="runs-from">Started from</label><input id="runs-from" name="from" type="date" defaultValue={filters.from} /></span>
          <span className="inline-field"><label htmlFor="runs-to">Started to</label><input id="runs-to" name="to" type="date" defaultValue={filters.to} /></span>
        </div>
      </details>
      <span className="actions">
        <button type="submit" className="primary">Apply filters</button>
        <button type="button" onClick={() => onApply({ sort: filters.sort })}>Clear</button>
      </span>
    </form>
  );
}
