import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useMutation } from 'urql';
import { z } from 'zod';
import { ApproveChangeRequestDocument, RejectChangeRequestDocument } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import type { PendingRequest } from './pending-request.ts';

const reviewSchema = z.object({ comment: z.string().trim().min(3, 'Write a comment for the author (at least 3 characters).') });
type ReviewValues = z.infer<typeof reviewSchema>;

/** Approve or reject a request, with the comment the author and the audit trail read. */
export function ReviewForm({ request, onReviewed }: { request: PendingRequest; onReviewed: (message: string) => void }) {
  const [approveState, approve] = useMutation(ApproveChangeRequestDocument);
  const [rejectState, reject] = useMutation(RejectChangeRequestDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const { register, handleSubmit, formState: { errors } } = useForm<ReviewValues>({ resolver: zodResolver(reviewSchema), defaultValues: { comment: '' } });
  const busy = approveState.fetching || rejectState.fetching;
  const id = `comment-${request.id}`;

  const run = (decision: 'approve' | 'reject') => handleSubmit(async ({ comment }) => {
    setError(null);
    const input = { id: request.id, revision: request.revision, comment: comment.trim() };
    if (decision === 'approve') {
      const result = await approve({ input });
      if (result.error) return setError(describeApiError(result.error));
      onReviewed(`Approved: ${request.environment.name} is now at version ${result.data?.approveChangeRequest.version}.`);
    } else {
      const result = await reject({ input });
      if (result.error) return setError(describeApiError(result.error));
      onReviewed(`Rejected the request of ${request.author.displayName}.`);
    }
  });

  return (
    <form className="form-grid" noValidate onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={id}>Comment (required)</label>
      <textarea id={id} rows={2} {...register('comment')} aria-invalid={errors.comment ? true : undefined} aria-describedby={errors.comment ? `${id}-error` : undefined} />
      {errors.comment && <p id={`${id}-error`} className="field-error">{errors.comment.message}</p>}
      {error && <p className="field-error" role="alert">{error.summary}</p>}
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void run('approve')()}>Approve</button>
        <button type="button" className="danger" disabled={busy} onClick={() => void run('reject')()}>Reject</button>
      </div>
    </form>
  );
}
