import type { AuditEventFieldsFragment } from '../../gql/graphql.ts';
import { globalId } from '../../lib/global-id.ts';
import { auditSearchString, type AuditSearch } from './audit-search.ts';

export interface AuditLink {
  href: string;
  label: string;
}

const trail = (search: AuditSearch) => `/audit${auditSearchString(search)}`;
const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);

/**
 * Where an event leads: the thing it touched (a version's diff, the catalog
 * entry, the rule, the freeze window, the run's page) and, where the trail
 * holds more of it, that thing's own history.
 */
export function auditEventLinks(event: AuditEventFieldsFragment): AuditLink[] {
  const details = (event.details ?? {}) as Record<string, unknown>;
  const env = event.environment?.name;
  const subject = event.subject;
  const links: AuditLink[] = [];
  switch (event.subjectKind) {
    case 'CONFIG_VERSION':
      if (env && event.configVersion != null) links.push({ href: `/history/${encodeURIComponent(env)}?version=${event.configVersion}`, label: `Version ${event.configVersion} diff` });
      if (subject) links.push({ href: trail({ subject }), label: 'Request history' });
      break;
    case 'CHANGE_REQUEST':
      if (subject) links.push({ href: trail({ subject }), label: 'Request history' });
      if (event.action === 'change_request_submitted' || event.action === 'change_request_updated') links.push({ href: '/approvals', label: 'Approvals' });
      break;
    case 'CATALOG_ENTRY':
      if (subject) links.push({ href: `/admin/catalog?entry=${encodeURIComponent(subject)}`, label: `Catalog entry ${subject}` });
      break;
    case 'RULE':
      if (subject) links.push({ href: `/admin/catalog#rule-${encodeURIComponent(globalId('Rule', subject))}`, label: 'Rule' }, { href: trail({ subject }), label: 'Rule history' });
      break;
    case 'FREEZE_WINDOW':
      if (subject) links.push({ href: `/environments#freeze-window-${encodeURIComponent(globalId('FreezeWindow', subject))}`, label: 'Freeze windows' }, { href: trail({ subject }), label: 'Window history' });
      break;
    case 'PARAMETER_SET':
      if (subject) links.push({ href: trail({ subject }), label: 'Set history' });
      break;
    case 'RUN':
      if (subject) links.push({ href: `/runs/${encodeURIComponent(globalId('Run', subject))}`, label: 'Run page' }, { href: trail({ subject }), label: 'Run history' });
      break;
    case 'USER': {
      const username = text(details.username);
      if (subject) links.push({ href: trail({ subject }), label: username ? `User ${username}` : 'User history' });
      if (username) links.push({ href: trail({ actor: username }), label: `Actions by ${username}` });
      break;
    }
    case 'SERVICE_TOKEN': {
      const name = text(details.name);
      if (subject) links.push({ href: trail({ subject }), label: 'Token history' });
      if (name) links.push({ href: trail({ actor: `token:${name}` }), label: `Actions by token:${name}` });
      break;
    }
    case 'WORKER':
      links.push({ href: '/dashboard', label: 'Workers' });
      break;
    default:
      break;
  }
  if (event.parameter && event.subjectKind !== 'CATALOG_ENTRY') links.push({ href: trail({ parameter: event.parameter }), label: `${event.parameter} history` });
  return links;
}
