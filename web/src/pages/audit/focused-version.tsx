import { useQuery } from 'urql';
import { Loading, QueryError } from '../../components/status.tsx';
import { FocusedVersionDocument } from '../../gql/graphql.ts';
import { VersionCard } from './version-card.tsx';

/**
 * The version an audit event links to (`/history/<env>?version=N`), with its
 * diff open, above the list: it may be far down the history or filtered out.
 */
export function FocusedVersion({ environment, version, activeVersion, canRestore, onRestore }: {
  environment: string; version: number; activeVersion: number; canRestore: boolean; onRestore: (v: number) => void;
}) {
  const [{ data, fetching, error }] = useQuery({ query: FocusedVersionDocument, variables: { environment, version } });
  if (fetching && !data) return <Loading label={`Loading version ${version}…`} />;
  if (error) return <QueryError error={error} />;
  const node = data?.environment.version;
  if (!node) return <p className="notice" role="status">{environment} has no version {version}.</p>;
  return (
    <section aria-label={`Version ${version}`} className="focused-version">
      <ol className="card-list"><VersionCard node={node} environment={environment} activeVersion={activeVersion} canRestore={canRestore} onRestore={onRestore} initiallyOpen /></ol>
    </section>
  );
}
