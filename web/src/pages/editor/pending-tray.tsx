import { zodResolver } from '@hookform/resolvers/zod';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import type { RuleShape, Violation } from '../../../../contract/validation/index.ts';
import { ValueDiff } from '../../components/value-diff.tsx';
import type { DescribedError } from '../../lib/describe-api-error.ts';

export interface PendingItem {
  name: string;
  before: string | undefined;
  after: string;
  critical: boolean;
  errors: readonly string[];
}

const reasonForm = z.object({
  reason: z.string().trim().min(3, 'Say why you are making this change (at least 3 characters): it goes into the audit trail.'),
});
type ReasonForm = z.infer<typeof reasonForm>;

export interface PendingTrayProps {
  environment: string;
  activeVersion: number;
  items: readonly PendingItem[];
  touchedRules: readonly RuleShape[];
  ruleViolations: readonly Violation[];
  /** False while the browser's validation core is still loading. */
  rulesChecked: boolean;
  serverError: DescribedError | null;
  notice: string | null;
  frozen: boolean;
  saving: boolean;
  onRemove(name: string): void;
  onDiscard(): void;
  onSave(reason: string, submitForApproval: boolean): Promise<boolean>;
}

/** The pending changes: before/after, the rules they touch, a required reason, and one save. */
export function PendingTray({ environment, activeVersion, items, touchedRules, ruleViolations, rulesChecked, serverError, notice, frozen, saving, onRemove, onDiscard, onSave }: PendingTrayProps) {
  const { register, handleSubmit, reset, formState: { errors } } = useForm<ReasonForm>({ resolver: zodResolver(reasonForm), defaultValues: { reason: '' } });
  const critical = items.some((item) => item.critical);
  const blocked = items.some((item) => item.errors.length > 0) || ruleViolations.length > 0;

  const submit = handleSubmit(async ({ reason }) => {
    if (await onSave(reason.trim(), critical)) reset();
  });

  return (
    <aside className="tray" aria-labelledby="tray-title">
      <h2 id="tray-title">Pending changes {items.length > 0 && <span className="count">({items.length})</span>}</h2>
      {notice && <p className="notice" role="status">{notice}</p>}
      {items.length === 0 ? (
        <p className="empty">No pending changes. Edit a value to start; your edits collect here until you save.</p>
      ) : (
        <>
          <p className="muted">Against {environment} version {activeVersion}.</p>
          <ul className="tray-items" aria-label="Pending changes">
            {items.map((item) => (
              <li key={item.name} data-testid={`pending-${item.name}`}>
                <div className="tray-item-head">
                  <strong>{item.name}</strong>
                  {item.critical && <span className="badge critical">critical</span>}
                  <button type="button" className="link-button" onClick={() => onRemove(item.name)} aria-label={`Remove ${item.name} from the pending changes`}>Remove</button>
                </div>
                <ValueDiff before={item.before} after={item.after} />
                {item.errors.length > 0 && <p className="field-error">{item.errors.join(' ')}</p>}
              </li>
            ))}
          </ul>
          <section aria-labelledby="rules-title" className="tray-rules">
            <h3 id="rules-title">Cross-parameter rules touched</h3>
            {touchedRules.length === 0 ? (
              <p className="muted">No rule reads these parameters.</p>
            ) : (
              <ul>
                {touchedRules.map((rule) => {
                  const violation = ruleViolations.find((v) => v.rule === rule.name) ?? (serverError?.byRule.get(rule.name) ? { message: serverError.byRule.get(rule.name)! } : undefined);
                  return (
                    <li key={rule.name} className={violation ? 'rule-failed' : 'rule-ok'} data-testid={`rule-${rule.name}`}>
                      <span className="rule-name">{rule.name}</span>: {violation ? <span className="field-error">{violation.message}</span> : rulesChecked ? <span>holds with these changes</span> : <span className="muted">checking…</span>}
                    </li>
                  );
                })}
              </ul>
            )}
            {ruleViolations.filter((v) => !touchedRules.some((r) => r.name === v.rule) && !v.parameter).map((v) => (
              <p key={v.rule ?? v.message} className="field-error">{v.message}</p>
            ))}
          </section>
          <form onSubmit={submit} noValidate>
            <label htmlFor="reason">Reason (required)</label>
            <textarea id="reason" rows={2} {...register('reason')} aria-invalid={errors.reason ? true : undefined} aria-describedby={errors.reason ? 'reason-error' : undefined} />
            {errors.reason && <p id="reason-error" className="field-error">{errors.reason.message}</p>}
            {critical && <p className="muted">A critical parameter is included: the change goes to an approver before it becomes active.</p>}
            {serverError && (
              <p className="field-error" role="alert" data-testid="save-error">{serverError.summary}</p>
            )}
            <div className="actions save-actions">
              <button type="submit" className="primary" disabled={saving || blocked || frozen}>
                {saving ? 'Saving…' : critical ? 'Submit for approval' : `Save as version ${activeVersion + 1}`}
              </button>
              <button type="button" onClick={onDiscard} disabled={saving}>Discard all</button>
            </div>
            {blocked && <p className="muted">Fix the marked values before saving.</p>}
            {frozen && <p className="muted">Saving is disabled while the environment is frozen.</p>}
          </form>
        </>
      )}
    </aside>
  );
}
