import { auditSubjectKinds, type AuditSubjectKind } from '../../../../contract/audit-actions.ts';
import type { AuditEventsQueryVariables } from '../../gql/graphql.ts';

/**
 * The audit page's filters and page, as they stand in the address bar (so a
 * filtered view can be linked, reloaded and gone back to). Dates are the
 * operator's calendar days; `after`/`before` are the page's cursors.
 */
export interface AuditSearch {
  environment?: string;
  parameter?: string;
  actor?: string;
  about?: AuditSubjectKind;
  action?: string;
  subject?: string;
  since?: string;
  until?: string;
  after?: string;
  before?: string;
}

export const auditPageSize = 50;

const keys = ['environment', 'parameter', 'actor', 'about', 'action', 'subject', 'since', 'until', 'after', 'before'] as const;
const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);

export function readAuditSearch(params: URLSearchParams): AuditSearch {
  const search: AuditSearch = {};
  for (const key of keys) {
    const value = params.get(key)?.trim();
    if (!value) continue;
    if (key === 'about') {
      if ((auditSubjectKinds as readonly string[]).includes(value)) search.about = value as AuditSubjectKind;
    } else if ((key === 'since' || key === 'until') && !isDay(value)) {
      continue;
    } else {
      search[key] = value;
    }
  }
  return search;
}

export function auditSearchString(search: AuditSearch): string {
  const params = new URLSearchParams();
  for (const key of keys) if (search[key]) params.set(key, search[key]!);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The filters without the page: what "N events match" counts. */
export const hasFilters = ({ after: _a, before: _b, ...filters }: AuditSearch) => Object.values(filters).some(Boolean);

/** The query's variables: a calendar day becomes the local day's bounds (until is exclusive: the next midnight). */
export function auditVariables(search: AuditSearch): AuditEventsQueryVariables {
  const startOf = (day: string) => new Date(`${day}T00:00:00`);
  const nextDay = (day: string) => { const d = startOf(day); d.setDate(d.getDate() + 1); return d; };
  return {
    ...(search.before ? { last: auditPageSize, before: search.before } : { first: auditPageSize, after: search.after }),
    environment: search.environment,
    parameter: search.parameter,
    actor: search.actor,
    about: search.about ? [search.about] : undefined,
    action: search.action ? [search.action] : undefined,
    subject: search.subject,
    since: search.since ? startOf(search.since).toISOString() : undefined,
    until: search.until ? nextDay(search.until).toISOString() : undefined,
  };
}
