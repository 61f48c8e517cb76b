import type { ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { describeApiError } from '../lib/describe-api-error.ts';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A failed query, as a sentence and a retry button. */
export function QueryError({ error, retry }: { error: CombinedError; retry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p>{describeApiError(error).summary}</p>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}
