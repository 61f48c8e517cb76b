import type { FormEvent } from 'react';
import { useQuery } from 'urql';
import { auditActions, auditActionSubjects, auditSubjectKinds, type AuditSubjectKind } from '../../../../contract/audit-actions.ts';
import { EnvironmentsDocument } from '../../gql/graphql.ts';
import { auditActionLabel, subjectKindLabel } from './audit-action-label.ts';
import type { AuditSearch } from './audit-search.ts';

/**
 * The audit page's filters. The form is uncontrolled and keyed by the search
 * it shows, so going back in history resets it to the address bar's filters;
 * applying one starts again at the newest page.
 */
export function AuditFilters({ search, onApply }: { search: AuditSearch; onApply: (next: AuditSearch) => void }) {
  const [{ data }] = useQuery({ query: EnvironmentsDocument });
  const environments = data?.environments.map((e) => e.name) ?? (search.environment ? [search.environment] : []);
  const actions = auditActions.filter((a) => !search.about || auditActionSubjects[a] === search.about);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (key: string) => String(form.get(key) ?? '').trim() || undefined;
    const about = text('about') as AuditSubjectKind | undefined;
    const action = text('action');
    onApply({
      environment: text('environment'),
      parameter: text('parameter'),
      actor: text('actor'),
      about,
      // An action of another kind than the chosen one would match nothing.
      action: action && (!about || auditActionSubjects[action as keyof typeof auditActionSubjects] === about) ? action : undefined,
      subject: search.subject,
      since: text('since'),
      until: text('until'),
    });
  };

  return (
    <form className="filters audit-filters" onSubmit={submit} aria-label="Filter audit events" key={JSON.stringify(search)}>
      <span className="inline-field">
        <label htmlFor="af-environment">Environment</label>
        <select id="af-environment" name="environment" defaultValue={search.environment ?? ''}>
          <option value="">all</option>
          {environments.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
      </span>
      <span className="inline-field">
        <label htmlFor="af-about">What</label>
        <select id="af-about" name="about" defaultValue={search.about ?? ''}>
          <option value="">everything</option>
          {auditSubjectKinds.map((kind) => <option key={kind} value={kind}>{subjectKindLabel[kind]}</option>)}
        </select>
      </span>
      <span className="inline-field">
        <label htmlFor="af-action">Action</label>
        <select id="af-action" name="action" defaultValue={search.action ?? ''}>
          <option value="">any</option>
          {actions.map((action) => <option key={action} value={action}>{auditActionLabel[action]}</option>)}
        </select>
      </span>
      <span className="inline-field"><label htmlFor="af-parameter">Parameter</label><input id="af-parameter" name="parameter" placeholder="CVN_…" defaultValue={search.parameter ?? ''} /></span>
      <span className="inline-field"><label htmlFor="af-actor">Actor</label><input id="af-actor" name="actor" placeholder="user or token:name" defaultValue={search.actor ?? ''} /></span>
      <span className="inline-field"><label htmlFor="af-since">From</label><input id="af-since" name="since" type="date" defaultValue={search.since ?? ''} /></span>
      <span className="inline-field"><label htmlFor="af-until">To</label><input id="af-until" name="until" type="date" defaultValue={search.until ?? ''} /></span>
      <span className="actions">
        <button type="submit" className="primary">Apply filters</button>
        <button type="button" onClick={() => onApply({})}>Clear</button>
      </span>
    </form>
  );
}
