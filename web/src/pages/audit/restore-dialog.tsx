import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useMutation } from 'urql';
import { z } from 'zod';
import { ModalDialog } from '../../components/confirm-dialog.tsx';
import { FreezeBanner } from '../../components/freeze-banner.tsx';
import { RestoreVersionDocument, type FreezeWindowFieldsFragment } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';

const schema = z.object({ reason: z.string().trim().min(3, 'Say why you restore this version (at least 3 characters): it goes into the audit trail.') });
type Form = z.infer<typeof schema>;

/** Restore an earlier version as a new one; critical parameters go through approval. */
export function RestoreDialog({ environment, version, activeVersion, freeze, open, onOpenChange, onDone }: {
  environment: string; version: number; activeVersion: number; freeze: FreezeWindowFieldsFragment | null; open: boolean; onOpenChange: (open: boolean) => void; onDone: (message: string) => void;
}) {
  const [{ fetching }, restore] = useMutation(RestoreVersionDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const { register, handleSubmit, formState: { errors }, getValues } = useForm<Form>({ resolver: zodResolver(schema), defaultValues: { reason: `Roll back to version ${version}` } });
  const needsApproval = error?.code === 'APPROVAL_REQUIRED';

  const send = async (reason: string, submitForApproval: boolean) => {
    setError(null);
    const result = await restore({ input: { environment, version, expectedVersion: activeVersion, reason, submitForApproval } });
    if (result.error) {
      setError(describeApiError(result.error));
      return;
    }
    const payload = result.data?.restoreConfigVersion;
    onDone(payload?.outcome === 'PENDING_APPROVAL'
      ? `The restore of version ${version} touches critical parameters: it was submitted for approval.`
      : `Restored version ${version} as version ${payload?.version?.version}.`);
  };

  return (
    <ModalDialog open={open} onOpenChange={(next) => { if (!next) setError(null); onOpenChange(next); }} title={`Restore version ${version}`} description={`Its values become the active ${environment} configuration, as a new version after ${activeVersion}.`}>
      {freeze && <FreezeBanner environment={environment} window={freeze} />}
      <form className="form-grid" noValidate onSubmit={handleSubmit(({ reason }) => send(reason.trim(), false))}>
        <label htmlFor="restore-reason">Reason (required)</label>
        <textarea id="restore-reason" rows={2} {...register('reason')} aria-invalid={errors.reason ? true : undefined} aria-describedby={errors.reason ? 'restore-reason-error' : undefined} />
        {errors.reason && <p id="restore-reason-error" className="field-error">{errors.reason.message}</p>}
        {error && <p className="field-error" role="alert">{error.summary}</p>}
        <div className="actions">
          {needsApproval ? (
            <button type="button" className="primary" disabled={fetching || freeze !== null} onClick={() => void send(getValues('reason').trim(), true)}>Submit for approval</button>
          ) : (
            <button type="submit" className="primary" disabled={fetching || freeze !== null}>{fetching ? 'Restoring…' : 'Restore'}</button>
          )}
          <button type="button" onClick={() => onOpenChange(false)}>Cancel</button>
        </div>
      </form>
    </ModalDialog>
  );
}
