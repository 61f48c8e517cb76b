import { useState } from 'react';
import { useQuery } from 'urql';
import { Loading, QueryError } from '../../components/status.tsx';
import { DiffList } from '../../components/value-diff.tsx';
import { VersionDiffDocument } from '../../gql/graphql.ts';

/** A version's values against any other version of its environment. */
export function CompareVersions({ environment, version }: { environment: string; version: number }) {
  const [other, setOther] = useState<number | null>(null);
  const [input, setInput] = useState(String(Math.max(1, version - 1)));
  const [{ data, fetching, error }] = useQuery({ query: VersionDiffDocument, variables: { environment, version, other: other ?? 0 }, pause: other === null });
  const id = `compare-${version}`;
  return (
    <div className="compare">
      <form className="inline-field" onSubmit={(e) => { e.preventDefault(); const n = Number(input); if (Number.isInteger(n) && n > 0) setOther(n); }}>
        <label htmlFor={id}>Compare with version</label>
        <input id={id} type="number" min={1} step={1} value={input} onChange={(e) => setInput(e.target.value)} style={{ width: '6rem' }} />
        <button type="submit">Compare</button>
      </form>
      {fetching && <Loading label="Comparing…" />}
      {error && <QueryError error={error} />}
      {data?.environment.version && other !== null && (
        <DiffList label={`From version ${other} to version ${version}`} rows={data.environment.version.diffAgainst} empty={`Versions ${other} and ${version} have the same values.`} />
      )}
    </div>
  );
}
