import { auditEventFacts } from '../server/features/audit/index.ts';
import { builder } from './builder.ts';
import { AuditSubjectKindEnum } from './enums.ts';
import { anyLocalId } from './local-id.ts';

// The append-only audit trail: config saves and approvals, rejected changes,
// catalog, rule, user and token administration, freezes and runs. A service
// token reads its own environment's events only.

builder.prismaObject('AuditEvent', {
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    at: t.expose('at', { type: 'DateTime' }),
    action: t.exposeString('action', { description: 'e.g. config_change_saved, config_change_rejected, catalog_entry_updated, rule_updated, service_token_created, parameter_set_frozen, run_registered.' }),
    actor: t.exposeString('actor', { description: 'A user name, or token:<name>.' }),
    environment: t.relation('environment', { nullable: true }),
    parameter: t.exposeString('parameterName', { nullable: true }),
    configVersion: t.exposeInt('configVersion', { nullable: true }),
    subject: t.exposeString('subjectId', { nullable: true, description: 'What the event is about: a run id, a set hash, a change request, a rule id, a catalog entry.' }),
    reason: t.exposeString('reason', { nullable: true }),
    details: t.expose('details', { type: 'JSON' }),
    subjectKind: t.field({ type: AuditSubjectKindEnum, nullable: true, description: 'What `subject` names (null for an action this server does not know).', resolve: (e) => auditEventFacts(e).subjectKind }),
    approvedBy: t.string({ nullable: true, description: 'The approver of an approved change (config_change_approved).', resolve: (e) => auditEventFacts(e).approvedBy }),
    reviewComment: t.string({ nullable: true, description: 'The reviewer\'s comment: the approval\'s on config_change_approved (whose `reason` stays the author\'s), the rejection\'s on config_change_rejected.', resolve: (e) => auditEventFacts(e).reviewComment }),
  }),
});

builder.queryField('auditEvents', (t) =>
  t.prismaConnection({
    type: 'AuditEvent',
    cursor: 'id',
    description: 'Newest first.',
    args: {
      environment: t.arg.string({ required: false }),
      parameter: t.arg.string({ required: false }),
      actor: t.arg.string({ required: false }),
      action: t.arg.stringList({ required: false, description: 'Any of these actions.' }),
      about: t.arg({ type: [AuditSubjectKindEnum], required: false, description: 'Events about any of these kinds of subject (each kind\'s actions).' }),
      subject: t.arg.string({ required: false, description: 'What the events are about: a run\'s id (raw or global), a set\'s hash, a change request, a rule, a catalog entry\'s name.' }),
      since: t.arg({ type: 'DateTime', required: false }),
      until: t.arg({ type: 'DateTime', required: false, description: 'Exclusive.' }),
    },
    resolve: (query, _root, { action, subject, ...filter }, { reads, viewer }) =>
      reads.audit.list(query, viewer, { ...filter, actions: action, subject: subject == null ? null : anyLocalId(subject) }),
    totalCount: (_parent, { action, subject, ...filter }, { reads, viewer }) =>
      reads.audit.count(viewer, { ...filter, actions: action, subject: subject == null ? null : anyLocalId(subject) }),
  }, {}));
