import type { PendingRequest } from './pending-request.ts';

/** Says which of the request's items are critical: the reason it needs a second person. */
export function CriticalItems({ request }: { request: PendingRequest }) {
  const critical = request.items.filter((i) => i.parameter?.critical).map((i) => i.name);
  if (critical.length === 0) return null;
  return (
    <p className="critical-items" data-testid="critical-items">
      <span className="badge critical">critical</span>{' '}
      {critical.length === 1 ? `${critical[0]} is critical: ` : `${critical.join(', ')} are critical: `}
      a second person must approve {critical.length === 1 ? 'it' : 'them'}.
    </p>
  );
}
