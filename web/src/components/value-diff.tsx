import { diffWordsWithSpace } from 'diff';

/** Before → after of one stored value, with the changed words marked (jsdiff). */
export function ValueDiff({ before, after }: { before: string | null | undefined; after: string | null | undefined }) {
  if (before == null || after == null) {
    return (
      <span className="value-diff">
        {before == null ? <span className="muted">(none)</span> : <del>{before}</del>}
        <span aria-hidden="true"> → </span>
        <span className="sr-only"> becomes </span>
        {after == null ? <span className="muted">(none)</span> : <ins>{after}</ins>}
      </span>
    );
  }
  const parts = diffWordsWithSpace(before, after);
  return (
    <span className="value-diff">
      <span className="before" aria-label={`before: ${before}`}>
        {parts.filter((p) => !p.added).map((p, i) => (p.removed ? <del key={i}>{p.value}</del> : <span key={i}>{p.value}</span>))}
      </span>
      <span aria-hidden="true"> → </span>
      <span className="after" aria-label={`after: ${after}`}>
        {parts.filter((p) => !p.removed).map((p, i) => (p.added ? <ins key={i}>{p.value}</ins> : <span key={i}>{p.value}</span>))}
      </span>
    </span>
  );
}

export interface DiffRow {
  name: string;
  before: string | null | undefined;
  after: string | null | undefined;
}

/** A list of parameter changes; a definition list reads well on a phone and to a screen reader. */
export function DiffList({ rows, empty = 'No differences.', label, critical }: {
  rows: readonly DiffRow[]; empty?: string; label?: string; /** Names to mark as critical (an approval's reason). */ critical?: ReadonlySet<string>;
}) {
  if (rows.length === 0) return <p className="empty">{empty}</p>;
  return (
    <dl className="diff-list" aria-label={label}>
      {rows.map((row) => (
        <div key={row.name} className="diff-row" data-testid={`diff-${row.name}`}>
          <dt>{row.name}{critical?.has(row.name) && <span className="badge critical heading-badge">critical</span>}</dt>
          <dd><ValueDiff before={row.before} after={row.after} /></dd>
        </div>
      ))}
    </dl>
  );
}
