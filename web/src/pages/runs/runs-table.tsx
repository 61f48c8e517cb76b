import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { formatTime } from '../../components/freeze-banner.tsx';
import { RunStatusPill, ShortHash, runKindLabel } from '../../components/run-badges.tsx';
import type { RunOrder, RunRowFieldsFragment } from '../../gql/graphql.ts';

/** A sortable column: its heading and the server's sort key (RunOrder without _ASC/_DESC). */
const columns = [
  { key: 'NAME', label: 'Name', className: 'col-name' },
  { key: 'KIND', label: 'Kind' },
  { key: 'STATUS', label: 'Status' },
  { key: 'ENVIRONMENT', label: 'Environment' },
  { key: 'CONFIG_VERSION', label: 'Version' },
  { key: 'PARAMETER_SET', label: 'Parameter set' },
  { key: 'STARTED_BY', label: 'Started by' },
  { key: 'STARTED_AT', label: 'Started', className: 'col-time' },
  { key: 'ENDED_AT', label: 'Finished', className: 'col-time' },
] as const;

export interface RunsTableProps {
  rows: readonly RunRowFieldsFragment[];
  sort: RunOrder;
  onSort(order: RunOrder): void;
  hasNextPage: boolean;
  loadMore(): void;
  selected: readonly string[];
  onToggle(id: string): void;
}

/**
 * The runs as a table whose rows are virtualised (only the visible ones are
 * in the DOM, between two spacer rows), sorted by the server when a heading
 * is pressed; nearing the last loaded row fetches the next page.
 */
export function RunsTable({ rows, sort, onSort, hasNextPage, loadMore, selected, onToggle }: RunsTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 41,
    overscan: 12,
    getItemKey: (index) => rows[index]!.id,
  });
  const items = virtualizer.getVirtualItems();
  const last = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasNextPage && last >= rows.length - 30) loadMore();
  }, [last, rows.length, hasNextPage, loadMore]);

  const direction = sort.endsWith('_ASC') ? 'ASC' : 'DESC';
  const sortedBy = sort.slice(0, sort.lastIndexOf('_'));
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <div className="runs-list" ref={scrollRef} tabIndex={0} role="region" aria-label="Runs (scroll for more)">
      <table className="runs-table">
        <thead>
          <tr>
            <th className="col-select"><span className="sr-only">Select for comparison</span></th>
            {columns.map((c) => {
              const active = sortedBy === c.key;
              const next = (active && direction === 'DESC' ? `${c.key}_ASC` : active ? `${c.key}_DESC` : `${c.key}_${c.key.endsWith('_AT') ? 'DESC' : 'ASC'}`) as RunOrder;
              return (
                <th key={c.key} className={'className' in c ? c.className : undefined} aria-sort={active ? (direction === 'ASC' ? 'ascending' : 'descending') : undefined}>
                  <button type="button" className="sort" onClick={() => onSort(next)}>
                    {c.label}{active ? (direction === 'ASC' ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <tr className="spacer" aria-hidden="true"><td colSpan={columns.length + 1} style={{ height: top }} /></tr>}
          {items.map((item) => {
            const run = rows[item.index]!;
            const isSelected = selected.includes(run.id);
            return (
              <tr key={item.key} className="run-row" data-index={item.index} ref={virtualizer.measureElement} data-testid="run-row">
                <td>
                  <input type="checkbox" aria-label={`Select ${run.name} for comparison`} checked={isSelected} disabled={!isSelected && selected.length >= 2} onChange={() => onToggle(run.id)} />
                </td>
                <td data-label="Name"><Link href={`/runs/${encodeURIComponent(run.id)}`}>{run.name}</Link></td>
                <td data-label="Kind">{runKindLabel(run.kind)}</td>
                <td data-label="Status"><RunStatusPill status={run.status} /></td>
                <td data-label="Environment">{run.environment?.name ?? <span className="muted">legacy</span>}</td>
                <td data-label="Version">{run.version ?? '—'}</td>
                <td data-label="Set"><ShortHash hash={run.parameterSetHash} /></td>
                <td data-label="Started by">{run.startedBy}</td>
                <td data-label="Started"><time dateTime={run.startedAt}>{formatTime(run.startedAt)}</time></td>
                <td data-label="Finished">{run.endedAt ? <time dateTime={run.endedAt}>{formatTime(run.endedAt)}</time> : '—'}</td>
              </tr>
            );
          })}
          {bottom > 0 && <tr className="spacer" aria-hidden="true"><td colSpan={columns.length + 1} style={{ height: bottom }} /></tr>}
        </tbody>
      </table>
    </div>
  );
}
