import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useMutation, useQuery } from 'urql';
import { formatTime } from '../../components/freeze-banner.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { CancelFreezeWindowDocument, CreateFreezeWindowDocument, FreezeWindowsDocument } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import { useScrollToHash } from '../../lib/use-scroll-to-hash.ts';

interface CreateForm { environment: string; startsAt: string; endsAt: string; reason: string }

/** A datetime-local value (the browser's local time, minute precision). */
const localInput = (date: Date) => {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
};

function CancelWindow({ id, environment, onDone }: { id: string; environment: string; onDone: (message: string) => void }) {
  const [{ fetching }, cancel] = useMutation(CancelFreezeWindowDocument);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<DescribedError | null>(null);
  const inputId = `cancel-${id}`;
  return (
    <form className="inline-field" noValidate onSubmit={async (e) => {
      e.preventDefault();
      setError(null);
      const result = await cancel({ input: { id, reason: reason.trim() } });
      if (result.error) return setError(describeApiError(result.error));
      onDone(`Cancelled the freeze of ${environment}: saving is possible again.`);
    }}>
      <label htmlFor={inputId}>Reason to cancel</label>
      <input id={inputId} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${inputId}-error` : undefined} />
      <button type="submit" className="danger" disabled={fetching}>Cancel freeze</button>
      {error && <p id={`${inputId}-error`} className="field-error" role="alert">{[...(error.byField.get('reason') ?? [])].join(' ') || error.summary}</p>}
    </form>
  );
}

/** Admins plan and cancel freeze windows: intervals in which an environment refuses every save. */
export function FreezeWindowsSection({ onChanged }: { onChanged: () => void }) {
  const [{ data, fetching, error }, refetch] = useQuery({ query: FreezeWindowsDocument, requestPolicy: 'cache-and-network' });
  const [{ fetching: creating }, create] = useMutation(CreateFreezeWindowDocument);
  const [notice, setNotice] = useState<string | null>(null);
  const [serverError, setServerError] = useState<DescribedError | null>(null);
  const now = new Date();
  const { register, handleSubmit, reset, formState: { errors } } = useForm<CreateForm>({
    defaultValues: { environment: 'prod', startsAt: localInput(now), endsAt: localInput(new Date(now.getTime() + 60 * 60_000)), reason: '' },
  });
  const done = (message: string) => { setNotice(message); refetch({ requestPolicy: 'network-only' }); onChanged(); };
  const fieldError = (name: keyof CreateForm) => errors[name]?.message ?? serverError?.byField.get(name)?.join(' ');

  const submit = handleSubmit(async (f) => {
    setServerError(null);
    const result = await create({ input: { environment: f.environment, startsAt: new Date(f.startsAt).toISOString(), endsAt: new Date(f.endsAt).toISOString(), reason: f.reason.trim() } });
    if (result.error) return setServerError(describeApiError(result.error));
    reset({ ...f, reason: '' });
    done(`Planned a freeze of ${f.environment} until ${formatTime(new Date(f.endsAt).toISOString())}.`);
  });

  const windows = data?.environments.flatMap((env) => env.freezeWindows.map((w) => ({ ...w, environment: env.name }))) ?? [];
  useScrollToHash(data !== undefined);
  const invalid = (name: keyof CreateForm) => (fieldError(name) ? { 'aria-invalid': true as const, 'aria-describedby': `freeze-${name}-error` } : {});
  const errorLine = (name: keyof CreateForm) => fieldError(name) ? <p id={`freeze-${name}-error`} className="field-error">{fieldError(name)}</p> : null;

  return (
    <section className="card" aria-labelledby="freeze-title">
      <h2 id="freeze-title">Freeze windows</h2>
      <p className="muted">While a window is open, every save, restore and promotion to its environment is refused.</p>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading freeze windows…" />}
      {data && windows.length === 0 && <EmptyState>No freeze window is open or planned.</EmptyState>}
      {windows.length > 0 && (
        <ul className="card-list" aria-label="Open and planned freeze windows">
          {windows.map((w) => (
            <li key={w.id} id={`freeze-window-${w.id}`} className="freeze-item" data-testid={`freeze-${w.environment}`}>
              <div className="card-head">
                <strong>{w.environment}</strong>
                {w.active ? <span className="badge deprecated">frozen now</span> : <span className="badge">planned</span>}
                <span><time dateTime={w.startsAt}>{formatTime(w.startsAt)}</time> to <time dateTime={w.endsAt}>{formatTime(w.endsAt)}</time></span>
                <span className="muted">by {w.createdBy.displayName}</span>
              </div>
              <p>{w.reason}</p>
              <CancelWindow id={w.id} environment={w.environment} onDone={done} />
            </li>
          ))}
        </ul>
      )}
      <form className="form-grid" noValidate onSubmit={submit} aria-label="Plan a freeze window">
        <h3>Plan a freeze window</h3>
        <label htmlFor="freeze-environment">Environment</label>
        <select id="freeze-environment" {...register('environment')}>
          {(data?.environments ?? []).map((env) => <option key={env.id} value={env.name}>{env.name}</option>)}
        </select>
        <label htmlFor="freeze-startsAt">Starts</label>
        <input id="freeze-startsAt" type="datetime-local" {...register('startsAt', { required: 'Say when the freeze starts.' })} {...invalid('startsAt')} />
        {errorLine('startsAt')}
        <label htmlFor="freeze-endsAt">Ends</label>
        <input id="freeze-endsAt" type="datetime-local" {...register('endsAt', { required: 'Say when the freeze ends.' })} {...invalid('endsAt')} />
        {errorLine('endsAt')}
        <label htmlFor="freeze-reason">Reason (operators read it)</label>
        <input id="freeze-reason" {...register('reason', { validate: (v) => v.trim().length >= 3 || 'Say why (at least 3 characters): operators whose save is refused read it.' })} {...invalid('reason')} />
        {errorLine('reason')}
        {serverError && <p className="field-error" role="alert">{serverError.summary}</p>}
        <div className="actions"><button type="submit" className="primary" disabled={creating}>Plan freeze</button></div>
      </form>
    </section>
  );
}
