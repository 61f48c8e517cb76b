import { useEffect, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useClient, useMutation, useQuery } from 'urql';
import { EmptyState, Loading, QueryError } from '../../components/status.tsx';
import { CheckRuleDocument, CreateRuleDocument, RulesDocument, UpdateRuleDocument, type CheckRuleQuery, type RuleFieldsFragment } from '../../gql/graphql.ts';
import { describeApiError, type DescribedError } from '../../lib/describe-api-error.ts';
import { useScrollToHash } from '../../lib/use-scroll-to-hash.ts';

interface RuleForm { name: string; expression: string; message: string; enabled: boolean; reason: string }
type Checks = CheckRuleQuery['checkRule'];

/** checkRule against every environment's active values, debounced while the admin types. */
function useLiveRuleCheck(expression: string, message: string, name: string): Checks | null {
  const client = useClient();
  const [checks, setChecks] = useState<Checks | null>(null);
  useEffect(() => {
    if (expression.trim() === '') {
      setChecks(null);
      return;
    }
    let live = true;
    const id = setTimeout(() => {
      void client.query(CheckRuleDocument, { expression, message: message || null, name: name || null }, { requestPolicy: 'network-only' }).toPromise().then((r) => {
        if (live && r.data) setChecks(r.data.checkRule);
      });
    }, 300);
    return () => { live = false; clearTimeout(id); };
  }, [client, expression, message, name]);
  return checks;
}

function FieldErrors({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  return messages?.length ? <p id={id} className="field-error">{messages.join(' ')}</p> : null;
}

function RuleEditor({ rule, onDone, onCancel }: { rule: RuleFieldsFragment | null; onDone: (message: string) => void; onCancel: () => void }) {
  const [createState, create] = useMutation(CreateRuleDocument);
  const [updateState, update] = useMutation(UpdateRuleDocument);
  const [error, setError] = useState<DescribedError | null>(null);
  const { register, handleSubmit, watch, formState: { errors } } = useForm<RuleForm>({
    defaultValues: rule ? { name: rule.name, expression: rule.expression, message: rule.message, enabled: rule.enabled, reason: '' } : { name: '', expression: '', message: '', enabled: true, reason: '' },
  });
  const [name, expression, message, enabled] = watch(['name', 'expression', 'message', 'enabled']);
  const checks = useLiveRuleCheck(expression, message, name);
  const failing = checks?.filter((c) => !c.passed) ?? [];
  const compileError = failing.find((c) => c.violation?.code === 'INVALID_EXPRESSION')?.violation?.message;
  const prefix = rule ? `rule-${rule.name}` : 'rule-new';
  const fieldMessages = (field: string) => error?.byField.get(field);

  const submit = handleSubmit(async (f) => {
    setError(null);
    const result = rule
      ? await update({ input: { id: rule.id, expectedRevision: rule.revision, expression: f.expression.trim(), message: f.message.trim(), enabled: f.enabled, reason: f.reason.trim() } })
      : await create({ input: { name: f.name.trim(), expression: f.expression.trim(), message: f.message.trim(), enabled: f.enabled, reason: f.reason.trim() } });
    if (result.error) return setError(describeApiError(result.error));
    onDone(rule ? `Saved rule ${rule.name} as revision ${rule.revision + 1}.` : `Created rule ${f.name.trim()}.`);
  });

  const described = (field: string, extra?: string) => [fieldMessages(field)?.length ? `${prefix}-${field}-error` : '', extra ?? ''].filter(Boolean).join(' ') || undefined;

  return (
    <form className="form-grid card" noValidate onSubmit={submit} aria-label={rule ? `Edit rule ${rule.name}` : 'New rule'}>
      <h3>{rule ? `Edit rule ${rule.name} (revision ${rule.revision})` : 'New rule'}</h3>
      {!rule && (
        <>
          <label htmlFor={`${prefix}-name`}>Rule name (permanent)</label>
          <input id={`${prefix}-name`} autoComplete="off" placeholder="fee-maker-not-above-taker" {...register('name')} aria-describedby={described('name')} aria-invalid={fieldMessages('name') ? true : undefined} />
          <FieldErrors id={`${prefix}-name-error`} messages={fieldMessages('name')} />
        </>
      )}
      <label htmlFor={`${prefix}-expression`}>Expression (CEL over params)</label>
      <textarea id={`${prefix}-expression`} rows={3} className="code" spellCheck={false} {...register('expression')} aria-describedby={described('expression', `${prefix}-check`)} aria-invalid={fieldMessages('expression') || compileError ? true : undefined} />
      <FieldErrors id={`${prefix}-expression-error`} messages={fieldMessages('expression')} />
      <label htmlFor={`${prefix}-message`}>Message operators read when a save breaks it</label>
      <input id={`${prefix}-message`} {...register('message')} aria-describedby={described('message')} aria-invalid={fieldMessages('message') ? true : undefined} />
      <FieldErrors id={`${prefix}-message-error`} messages={fieldMessages('message')} />
      <label><input type="checkbox" {...register('enabled')} /> Enabled (binds every save)</label>
      <section id={`${prefix}-check`} aria-live="polite" data-testid="rule-live-check" className="live-check">
        {expression.trim() === '' ? <p className="muted">Write an expression to check it against every environment's current values.</p>
          : checks === null ? <p className="muted">Checking…</p>
          : compileError ? <p className="field-error">{compileError}</p>
          : (
            <ul aria-label="Live check per environment">
              {checks.map((c) => (
                <li key={c.environment} className={c.passed ? 'rule-ok' : 'rule-failed'} data-testid={`rule-check-${c.environment}`}>
                  <strong>{c.environment}</strong>: {c.passed ? 'current values satisfy it' : <span className="field-error">{c.violation?.message ?? 'current values break it'}</span>}
                </li>
              ))}
            </ul>
          )}
        {enabled && failing.length > 0 && !compileError && <p className="muted">An enabled rule cannot be saved while an environment breaks it: fix those values first, or save it disabled.</p>}
      </section>
      <label htmlFor={`${prefix}-reason`}>Reason (required)</label>
      <textarea id={`${prefix}-reason`} rows={2} {...register('reason', { validate: (v) => v.trim().length >= 3 || 'Say why (at least 3 characters): it goes into the audit trail.' })} aria-invalid={errors.reason || fieldMessages('reason') ? true : undefined} aria-describedby={errors.reason || fieldMessages('reason') ? `${prefix}-reason-error` : undefined} />
      {(errors.reason || fieldMessages('reason')) && <p id={`${prefix}-reason-error`} className="field-error">{errors.reason?.message ?? fieldMessages('reason')!.join(' ')}</p>}
      {error && (
        <div role="alert" data-testid="rule-save-error">
          <p className="field-error">{error.summary}</p>
          {[...error.byField].filter(([f]) => !['name', 'expression', 'message', 'reason'].includes(f)).flatMap(([, ms]) => ms).map((m) => <p key={m} className="field-error">{m}</p>)}
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={createState.fetching || updateState.fetching}>{rule ? 'Save rule' : 'Create rule'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** Cross-parameter rules: list, create, edit with a live check against every environment. */
export function RulesSection() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: RulesDocument, requestPolicy: 'cache-and-network' });
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const rules = data?.rules ?? [];
  useScrollToHash(data !== undefined);
  const done = (message: string) => { setNotice(message); setEditing(null); refetch({ requestPolicy: 'network-only' }); };
  const current = rules.find((r) => r.id === editing) ?? null;

  return (
    <section className="card" aria-labelledby="rules-title">
      <div className="page-head">
        <h2 id="rules-title">Cross-parameter rules</h2>
        <button type="button" onClick={() => { setEditing('new'); setNotice(null); }}>New rule</button>
      </div>
      {notice && <p className="notice" role="status">{notice}</p>}
      {error && <QueryError error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      {!data && fetching && <Loading label="Loading rules…" />}
      {editing === 'new' && <RuleEditor key="new" rule={null} onDone={done} onCancel={() => setEditing(null)} />}
      {data && rules.length === 0 && <EmptyState>No rule yet. Rules are CEL expressions over params that every save must satisfy.</EmptyState>}
      {rules.length > 0 && (
        <ul className="card-list rule-list" aria-label="Rules">
          {rules.map((rule) => (
            <li key={rule.id} id={`rule-${rule.id}`} className="rule-item" data-testid={`rule-${rule.name}`}>
              <div className="card-head">
                <strong className="param-name">{rule.name}</strong>
                <span className={`badge${rule.enabled ? ' hot' : ''}`}>{rule.enabled ? 'enabled' : 'disabled'}</span>
                <span className="muted">revision {rule.revision}</span>
                <button type="button" className="link-button" aria-label={`Edit rule ${rule.name}`} onClick={() => { setEditing(rule.id); setNotice(null); }}>Edit</button>
              </div>
              <p className="muted rule-message">{rule.message}</p>
              <details>
                <summary>Expression</summary>
                <code className="rule-expression">{rule.expression}</code>
              </details>
              {current?.id === rule.id && <RuleEditor key={`${rule.id}@${rule.revision}`} rule={rule} onDone={done} onCancel={() => setEditing(null)} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
