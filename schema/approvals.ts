import type { ChangeRequestUpdatedEvent } from '../server/features/approvals/index.ts';
import { builder } from './builder.ts';
import { ParameterValueInput } from './config-writes.ts';
import { ChangeRequestStatusEnum, VersionKindEnum } from './enums.ts';
import { localId } from './local-id.ts';
import { uuidWhere } from './uuid-where.ts';
import { ValueDiffRef } from './value-diff.ts';
import { ViolationRef } from './violations.ts';

builder.prismaNode('ChangeRequest', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  authScopes: (request, { viewer, reads }) => reads.config.canRead(viewer, request.environmentId),
  fields: (t) => ({
    environment: t.relation('environment'),
    kind: t.expose('kind', { type: VersionKindEnum }),
    status: t.expose('status', { type: ChangeRequestStatusEnum }),
    baseVersion: t.exposeInt('baseVersion', { description: 'The environment version the request was written against.' }),
    revision: t.exposeInt('revision', { description: 'Bumped by every edit; approve names the revision read.' }),
    reason: t.exposeString('reason'),
    author: t.relation('author'),
    reviewer: t.relation('reviewer', { nullable: true }),
    reviewComment: t.exposeString('reviewComment', { nullable: true }),
    reviewedAt: t.expose('reviewedAt', { type: 'DateTime', nullable: true }),
    restoredFrom: t.exposeInt('restoredFrom', { nullable: true }),
    promotedFrom: t.exposeString('promotedFrom', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    items: t.relation('items', { query: { orderBy: { parameterName: 'asc' } } }),
    appliedVersion: t.relation('appliedVersion', { nullable: true }),
    diff: t.field({
      type: [ValueDiffRef],
      description: 'The requested values against the environment\'s active values now.',
      select: { environment: { select: { id: true, activeVersion: true } }, items: { select: { parameterName: true, value: true } } },
      resolve: (request, _args, { reads }) => reads.changeRequests.diff(request),
    }),
    violations: t.field({
      type: [ViolationRef],
      description: 'Value and rule checks of the request against the environment as it is now.',
      select: { id: true, status: true },
      resolve: (request, _args, { services }) => (request.status === 'PENDING' ? services.changeRequests.check(request.id) : []),
    }),
  }),
});

builder.prismaObject('ChangeRequestItem', {
  fields: (t) => ({
    name: t.exposeString('parameterName'),
    value: t.exposeString('value'),
    parameter: t.relation('parameter'),
  }),
});

builder.queryFields((t) => ({
  changeRequests: t.prismaConnection({
    type: 'ChangeRequest',
    cursor: 'id',
    args: {
      environment: t.arg.string({ required: false }),
      status: t.arg({ type: ChangeRequestStatusEnum, required: false }),
    },
    resolve: (query, _root, filter, { reads, viewer }) => reads.changeRequests.list(query, viewer, filter),
  }),
}));

const ReviewInput = builder.inputType('ReviewChangeRequestInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'The change request id (uuid or global id).' }),
    revision: t.int({ required: true, description: 'The revision you reviewed; an edit since voids the review.' }),
    comment: t.string({ required: true }),
  }),
});

const UpdateRequestInput = builder.inputType('UpdateChangeRequestInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    revision: t.int({ required: true }),
    changes: t.field({ type: [ParameterValueInput], required: true }),
    reason: t.string({ required: false }),
  }),
});


builder.mutationFields((t) => ({
  approveChangeRequest: t.prismaField({
    type: 'ConfigVersion',
    authScopes: { approver: true },
    description: 'Approves a pending request and applies it as a new version (VERSION_CONFLICT if the environment moved on).',
    args: { input: t.arg({ type: ReviewInput, required: true }) },
    resolve: async (_query, _root, { input }, { services, viewer }) =>
      (await services.changeRequests.approve(viewer!, { ...input, id: localId(input.id, 'ChangeRequest') })).version,
  }),
  rejectChangeRequest: t.prismaField({
    type: 'ChangeRequest',
    authScopes: { approver: true },
    args: { input: t.arg({ type: ReviewInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) => services.changeRequests.reject(viewer!, { ...input, id: localId(input.id, 'ChangeRequest') }),
  }),
  updateChangeRequest: t.prismaField({
    type: 'ChangeRequest',
    authScopes: { editor: true },
    description: 'The author edits a pending request; its revision moves and any review of the old text is void.',
    args: { input: t.arg({ type: UpdateRequestInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.changeRequests.update(viewer!, { ...input, id: localId(input.id, 'ChangeRequest') }),
  }),
  withdrawChangeRequest: t.prismaField({
    type: 'ChangeRequest',
    authScopes: { editor: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, { id }, { services, viewer }) => services.changeRequests.withdraw(viewer!, { id: localId(id, 'ChangeRequest') }),
  }),
}));

builder.subscriptionField('changeRequestUpdated', (t) =>
  t.prismaField({
    type: 'ChangeRequest',
    description: 'A change request was submitted, edited, approved, rejected or withdrawn.',
    args: { environment: t.arg.string({ required: false }) },
    // A prismaField's root is typed as the object it returns; here it is the event.
    subscribe: (_root, { environment }, { reads, viewer }) => reads.changeRequests.subscribeUpdates(viewer, environment) as never,
    resolve: (query, event, _args, { reads }) => reads.changeRequests.byId(query, (event as unknown as ChangeRequestUpdatedEvent).id),
  }));
