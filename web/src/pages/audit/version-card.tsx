import { useState } from 'react';
import { DiffList } from '../../components/value-diff.tsx';
import type { VersionFieldsFragment } from '../../gql/graphql.ts';
import { CompareVersions } from './compare-versions.tsx';

const kindLabel = { EDIT: 'edit', PROMOTION: 'promotion', RESTORE: 'restore', SEED: 'initial values', IMPORT: 'imported from legacy' } as const;
const formatTime = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One config version: who, why, what changed (its diff on demand), and restore. */
export function VersionCard({ node, environment, activeVersion, canRestore, onRestore, initiallyOpen = false }: {
  node: VersionFieldsFragment; environment: string; activeVersion: number; canRestore: boolean; onRestore: (v: number) => void; initiallyOpen?: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <li className="card" data-testid={`version-${node.version}`}>
      <div className="card-head">
        <h2>Version {node.version}{node.version === activeVersion && <span className="badge hot heading-badge" data-testid="active-badge">active</span>}</h2>
        <span className="badge">{kindLabel[node.kind]}</span>
        <span>by {node.author.displayName}</span>
        {node.approver && <span>approved by {node.approver.displayName}</span>}
        <time dateTime={node.createdAt}>{formatTime(node.createdAt)}</time>
      </div>
      <p>{node.reason}{node.restoredFrom != null && <span className="muted"> (restored from version {node.restoredFrom})</span>}{node.promotedFrom && <span className="muted"> (promoted from {node.promotedFrom})</span>}</p>
      <p className="muted">{node.changes.length} {node.changes.length === 1 ? 'parameter' : 'parameters'} changed</p>
      <div className="actions">
        <button type="button" aria-expanded={open} aria-controls={`details-${node.version}`} onClick={() => setOpen(!open)}>{open ? 'Hide diff' : 'Show diff'}</button>
        {canRestore && node.version !== activeVersion && <button type="button" onClick={() => onRestore(node.version)}>Restore this version</button>}
      </div>
      {open && (
        <div id={`details-${node.version}`}>
          <DiffList label={`Changes of version ${node.version} against its predecessor`} rows={node.changes} empty="No parameter changed." />
          <CompareVersions environment={environment} version={node.version} />
        </div>
      )}
    </li>
  );
}
