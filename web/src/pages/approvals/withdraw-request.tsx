import { useState } from 'react';
import { useMutation } from 'urql';
import { WithdrawChangeRequestDocument } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import type { PendingRequest } from './pending-request.ts';

/** The author takes their own request back (asked once more: it cannot be undone, only submitted again). */
export function WithdrawRequest({ request, onWithdrawn }: { request: PendingRequest; onWithdrawn: (message: string) => void }) {
  const [{ fetching }, withdraw] = useMutation(WithdrawChangeRequestDocument);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<DescribedError | null>(null);
  const send = async () => {
    setError(null);
    const result = await withdraw({ id: request.id });
    if (result.error) return setError(describeApiError(result.error));
    onWithdrawn(`Withdrew your ${request.kind.toLowerCase()} request for ${request.environment.name}.`);
  };
  return (
    <div className="actions">
      {confirming ? (
        <>
          <button type="button" className="danger" disabled={fetching} onClick={() => void send()}>Yes, withdraw it</button>
          <button type="button" onClick={() => setConfirming(false)}>Keep it</button>
        </>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>Withdraw request</button>
      )}
      {error && <p className="field-error" role="alert">{error.summary}</p>}
    </div>
  );
}
