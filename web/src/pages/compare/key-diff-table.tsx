/** One row of a keyed diff: a factor, a code-version key or a catalog field; JSON values shown as text. */
export interface KeyDiffRow {
  key: string;
  before: unknown;
  after: unknown;
}

const show = (value: unknown) => (value == null ? '—' : typeof value === 'string' ? value : JSON.stringify(value));

/** A titled table of what differs by key, A → B. */
export function KeyDiffTable({ title, rows, empty, testId }: { title: string; rows: readonly KeyDiffRow[]; empty: string; testId: string }) {
  const id = `${testId}-head`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table data-testid={testId} aria-labelledby={id}>
            <thead><tr><th scope="col">What</th><th scope="col">A</th><th scope="col">B</th></tr></thead>
            <tbody>{rows.map((r) => <tr key={r.key}><td className="hash">{r.key}</td><td className="value-diff"><del>{show(r.before)}</del></td><td className="value-diff"><ins>{show(r.after)}</ins></td></tr>)}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}
