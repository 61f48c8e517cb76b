import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useMutation, useQuery } from 'urql';
import { z } from 'zod';
import { hasRole } from '../../app/session-api.ts';
import { useSession } from '../../app/session-context.ts';
import { EnvironmentPicker } from '../../components/environment-picker.tsx';
import { FreezeBanner, useActiveFreeze } from '../../components/freeze-banner.tsx';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { DiffList } from '../../components/value-diff.tsx';
import { CompareEnvironmentsDocument, PromoteConfigDocument } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import { FreezeWindowsSection } from './freeze-windows-section.tsx';

const schema = z.object({ reason: z.string().trim().min(3, 'Say why you promote these values (at least 3 characters).') });
type Form = z.infer<typeof schema>;

export default function EnvironmentsPage() {
  const { user } = useSession();
  const canPromote = hasRole(user, 'EDITOR');
  const [left, setLeft] = useState('dev');
  const [right, setRight] = useState('staging');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<DescribedError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ data, fetching, error: queryError }, refetch] = useQuery({ query: CompareEnvironmentsDocument, variables: { left, right }, requestPolicy: 'cache-and-network' });
  const [{ fetching: promoting }, promote] = useMutation(PromoteConfigDocument);
  const { register, handleSubmit, reset, formState: { errors } } = useForm<Form>({ resolver: zodResolver(schema), defaultValues: { reason: '' } });

  const differences = useMemo(() => {
    if (!data) return [];
    const l = new Map(data.left.values.map((v) => [v.name, v.value]));
    const r = new Map(data.right.values.map((v) => [v.name, v.value]));
    const critical = new Map(data.catalog.edges.map((e) => [e.node.name, e.node.critical]));
    return [...new Set([...l.keys(), ...r.keys()])].sort()
      .filter((name) => (l.get(name) ?? null) !== (r.get(name) ?? null))
      .map((name) => ({ name, left: l.get(name) ?? null, right: r.get(name) ?? null, critical: critical.get(name) ?? false }));
  }, [data]);

  const toggle = (name: string) => setChosen((prev) => {
    const next = new Set(prev);
    if (next.has(name)) next.delete(name); else next.add(name);
    return next;
  });
  const freeze = useActiveFreeze(data?.right.activeFreezeWindow);
  const selected = differences.filter((d) => chosen.has(d.name));
  const anyCritical = selected.some((d) => d.critical);

  const submit = handleSubmit(async ({ reason }) => {
    if (!data || selected.length === 0) return;
    setError(null);
    const result = await promote({ input: { from: left, to: right, names: selected.map((d) => d.name), expectedVersion: data.right.activeVersion, reason: reason.trim(), submitForApproval: anyCritical } });
    if (result.error) {
      setError(describeApiError(result.error));
      if (['VERSION_CONFLICT', 'FROZEN'].includes(String(result.error.graphQLErrors[0]?.extensions?.code))) refetch({ requestPolicy: 'network-only' });
      return;
    }
    const payload = result.data?.promoteConfig;
    setNotice(payload?.outcome === 'PENDING_APPROVAL'
      ? `Submitted for approval: the promotion to ${right} touches critical parameters.`
      : `Promoted ${selected.length} ${selected.length === 1 ? 'value' : 'values'} to ${right} as version ${payload?.version?.version}.`);
    setChosen(new Set());
    reset();
    refetch({ requestPolicy: 'network-only' });
  });

  return (
    <main id="main" className="page">
      <div className="page-head"><h1>Environments</h1></div>
      <div className="filters">
        <EnvironmentPicker id="env-left" label="From" value={left} onChange={(v) => { setLeft(v); setChosen(new Set()); }} />
        <EnvironmentPicker id="env-right" label="To" value={right} onChange={(v) => { setRight(v); setChosen(new Set()); }} />
      </div>
      {freeze && left !== right && <FreezeBanner environment={right} window={freeze} />}
      {notice && <p className="notice" role="status">{notice}</p>}
      {queryError && <QueryError error={queryError} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Comparing environments…" />}
      {data && left === right && <EmptyState>Choose two different environments.</EmptyState>}
      {data && left !== right && (
        <>
          <p className="muted" data-testid="difference-count">{differences.length} {differences.length === 1 ? 'parameter differs' : 'parameters differ'} between {left} (version {data.left.activeVersion}) and {right} (version {data.right.activeVersion}).</p>
          {differences.length === 0 ? <EmptyState>The two environments hold the same values.</EmptyState> : (
            <div className="table-wrap">
              <table>
                <caption className="sr-only">Parameters that differ between {left} and {right}</caption>
                <thead>
                  <tr>
                    {canPromote && <th scope="col">Promote</th>}
                    <th scope="col">Parameter</th>
                    <th scope="col">{left}</th>
                    <th scope="col">{right}</th>
                  </tr>
                </thead>
                <tbody>
                  {differences.map((d) => (
                    <tr key={d.name} data-testid={`difference-${d.name}`}>
                      {canPromote && <td><input type="checkbox" id={`promote-${d.name}`} checked={chosen.has(d.name)} onChange={() => toggle(d.name)} aria-label={`Promote ${d.name}`} /></td>}
                      <td><span className="param-name">{d.name}</span> {d.critical && <span className="badge critical">critical</span>}{error?.byParameter.get(d.name)?.map((m) => <p key={m} className="field-error">{m}</p>)}</td>
                      <td className="value-diff">{d.left ?? <span className="muted">(none)</span>}</td>
                      <td className="value-diff">{d.right ?? <span className="muted">(none)</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {canPromote && selected.length > 0 && (
            <section className="card" aria-labelledby="promote-title">
              <h2 id="promote-title">Promote {selected.length} {selected.length === 1 ? 'value' : 'values'} from {left} to {right}</h2>
              <DiffList rows={selected.map((d) => ({ name: d.name, before: d.right, after: d.left }))} label="Promotion diff" />
              <form className="form-grid" noValidate onSubmit={submit}>
                <label htmlFor="promote-reason">Reason (required)</label>
                <textarea id="promote-reason" rows={2} {...register('reason')} aria-invalid={errors.reason ? true : undefined} aria-describedby={errors.reason ? 'promote-reason-error' : undefined} />
                {errors.reason && <p id="promote-reason-error" className="field-error">{errors.reason.message}</p>}
                {anyCritical && <p className="muted">A critical parameter is included: the promotion goes to an approver first.</p>}
                {error && <p className="field-error" role="alert">{error.summary}</p>}
                <div className="actions"><button type="submit" className="primary" disabled={promoting || freeze !== null}>{anyCritical ? 'Submit promotion for approval' : `Promote to ${right}`}</button></div>
              </form>
            </section>
          )}
        </>
      )}
      {hasRole(user, 'ADMIN') && <FreezeWindowsSection onChanged={() => refetch({ requestPolicy: 'network-only' })} />}
    </main>
  );
}
