import { useState } from 'react';
import { useMutation } from 'urql';
import { useLocation } from 'wouter';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { ModalDialog } from '../../components/confirm-dialog.tsx';
import { runKindLabel } from '../../components/run-badges.tsx';
import { RerunRunDocument } from '../../gql/graphql.ts';
import { describeApiError } from '../../lib/describe-api-error.ts';
import type { RunPageRun } from './run-types.ts';

/**
 * "Re-run identical": a new run of the same kind on the same set, version and
 * metadata (the server checks the role and audits it), after a confirmation;
 * then the new run's page. A viewer sees why the button is disabled.
 */
export function RerunButton({ run }: { run: RunPageRun }) {
  const { user } = useSession();
  const [, navigate] = useLocation();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [{ fetching }, rerun] = useMutation(RerunRunDocument);
  const allowed = hasRole(user, 'EDITOR');
  const legacy = run.legacy;

  const confirm = async () => {
    setError(null);
    const result = await rerun({ input: { run: run.id } });
    if (result.error || !result.data) {
      setError(result.error ? describeApiError(result.error).summary : 'The re-run was not started.');
      return;
    }
    setOpen(false);
    navigate(`/runs/${encodeURIComponent(result.data.rerunRun.id)}`);
  };

  return (
    <>
      <button type="button" className="primary" disabled={!allowed || legacy} aria-describedby={!allowed || legacy ? 'rerun-why' : undefined} onClick={() => setOpen(true)}>Re-run identical</button>
      {!allowed && <span id="rerun-why" className="muted">Re-running needs the editor role; you are signed in as a {user.role.toLowerCase()}.</span>}
      {allowed && legacy && <span id="rerun-why" className="muted">A legacy run has no pinned environment version to re-run.</span>}
      <ModalDialog open={open} onOpenChange={setOpen} title={`Re-run ${run.name}`} description={`A new ${runKindLabel(run.kind)} on the same parameter set, ${run.environment?.name}@${run.configVersion?.version} and metadata. The audit trail records that you started it.`}>
        {run.kind === 'BACKTEST' && <p>The server runs the backtest; the new run's page shows its output digest next to this one's when it ends.</p>}
        {error && <p className="field-error" role="alert">{error}</p>}
        <div className="actions">
          <button type="button" className="primary" disabled={fetching} onClick={() => void confirm()}>{fetching ? 'Starting…' : 'Start the re-run'}</button>
          <button type="button" onClick={() => setOpen(false)}>Cancel</button>
        </div>
      </ModalDialog>
    </>
  );
}
