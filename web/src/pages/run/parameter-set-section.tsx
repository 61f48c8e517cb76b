import { formatTime } from '../../components/freeze-banner.tsx';
import type { RunPageRun } from './run-types.ts';

/** The run's parameter set: provenance, code version, factors, and every value by the catalog's display groups. */
export function ParameterSetSection({ run }: { run: RunPageRun }) {
  const set = run.parameterSet;
  const total = set.valueGroups.reduce((n, g) => n + g.values.length, 0);
  return (
    <section className="card" aria-labelledby="run-set">
      <h2 id="run-set">Parameter set</h2>
      <dl className="facts">
        <div><dt>Hash</dt><dd className="hash" data-testid="set-hash">{set.hash}</dd></div>
        <div><dt>Catalog revision</dt><dd>{set.catalogVersion}</dd></div>
        <div><dt>Frozen</dt><dd><time dateTime={set.createdAt}>{formatTime(set.createdAt)}</time></dd></div>
        <div><dt>Code commit</dt><dd className="hash" data-testid="code-commit">{set.code?.commit ?? 'free-form code version'}</dd></div>
      </dl>
      {set.code && set.code.packages.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Code version: packages">
            <thead><tr><th scope="col">Package</th><th scope="col">Version</th></tr></thead>
            <tbody>{set.code.packages.map((p) => <tr key={p.name}><td>{p.name}</td><td>{p.version}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      <h3>Experimental factors</h3>
      {set.experimentalFactors.length === 0 ? (
        <p className="muted">None: the run applies the frozen values as they are.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="Experimental factors" data-testid="factors">
            <thead><tr><th scope="col">Parameter</th><th scope="col">Variant</th><th scope="col">Frozen value</th></tr></thead>
            <tbody>{set.experimentalFactors.map((f) => <tr key={f.name}><td className="hash">{f.name}</td><td>{f.variant}</td><td>{f.baseValue ?? '—'}</td></tr>)}</tbody>
          </table>
        </div>
      )}
      <h3>Values ({total.toLocaleString('en-US')}, by display group)</h3>
      <div className="value-groups">
        {set.valueGroups.map((group) => (
          <details key={group.name} data-testid={`group-${group.name}`}>
            <summary>{group.name} ({group.values.length})</summary>
            <div className="table-wrap">
              <table className="values-table" aria-label={`${group.name} values`}>
                <thead><tr><th scope="col">Parameter</th><th scope="col">Value</th><th scope="col">Variant</th></tr></thead>
                <tbody>{group.values.map((v) => <tr key={v.name}><td>{v.name}</td><td>{v.value ?? '—'}</td><td>{v.variant ?? ''}</td></tr>)}</tbody>
              </table>
            </div>
          </details>
        ))}
      </div>
    </section>
  );
}
