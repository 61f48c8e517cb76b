import { filterEvents } from '../server/realtime/filter-events.ts';
import type { Prisma } from '../server/generated/prisma/client.ts';
import { canReadEnvironment } from '../server/auth/environment-access.ts';
import { readSnapshot } from '../server/features/configuration/read-snapshot.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { uuidWhere } from './uuid-where.ts';
import { ParameterValueInput } from './configuration.ts';
import { ChangeRequestStatusEnum, VersionKindEnum } from './enums.ts';
import { ValueDiffRef, ViolationRef } from './violations.ts';

builder.prismaNode('ChangeRequest', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  authScopes: (request, { viewer }) => canReadEnvironment(viewer, request.environmentId),
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
      resolve: async (request, _args, { services }) => {
        const current = await readSnapshot(services.prisma, request.environment);
        return request.items
          .map((item) => ({ name: item.parameterName, before: current[item.parameterName] ?? null, after: item.value }))
          .sort((a, b) => a.name.localeCompare(b.name));
      },
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
    resolve: (query, _root, { environment, status }, { services, viewer }) => {
      const where: Prisma.ChangeRequestWhereInput = {
        ...(environment ? { environment: { name: environment } } : {}),
        ...(status ? { status } : {}),
        ...(viewer?.kind === 'service' ? { environmentId: viewer.environmentId } : {}),
      };
      return services.prisma.changeRequest.findMany({ ...query, where, orderBy: { createdAt: 'desc' } });
    },
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
    subscribe: (_root, { environment }, { services, viewer }) =>
      filterEvents(
        services.pubsub.subscribe('changeRequestUpdated'),
        async ({ id }: { id: string }) => {
          const request = await services.prisma.changeRequest.findUnique({ where: { id }, select: { environmentId: true, environment: { select: { name: true } } } });
          return !!request && (!environment || request.environment.name === environment) && canReadEnvironment(viewer, request.environmentId);
        },
      ) as never,
    resolve: (query, event, _args, { services }) =>
      services.prisma.changeRequest.findUniqueOrThrow({ ...query, where: { id: (event as unknown as { id: string }).id } }),
  }));
