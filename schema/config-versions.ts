import { builder } from './builder.ts';
import { VersionKindEnum } from './enums.ts';
import { ValueDiffRef } from './value-diff.ts';

export const ConfigVersionRef = builder.prismaNode('ConfigVersion', {
  nullable: true,
  id: { resolve: (v) => String(v.id) },
  findUnique: (id) => ({ id: /^\d{1,18}$/.test(id) ? BigInt(id) : -1n }),
  authScopes: (version, { viewer, reads }) => reads.config.canRead(viewer, version.environmentId),
  fields: (t) => ({
    environment: t.relation('environment'),
    version: t.exposeInt('version'),
    kind: t.expose('kind', { type: VersionKindEnum }),
    reason: t.exposeString('reason'),
    author: t.relation('author'),
    approver: t.relation('approver', { nullable: true }),
    changeRequest: t.relation('changeRequest', { nullable: true }),
    approvalComment: t.string({
      nullable: true,
      description: 'What the approver wrote when approving (the change request\'s review comment); null when no approval was needed.',
      select: { changeRequest: { select: { reviewComment: true } } },
      resolve: (v) => v.changeRequest?.reviewComment ?? null,
    }),
    restoredFrom: t.exposeInt('restoredFrom', { nullable: true }),
    promotedFrom: t.exposeString('promotedFrom', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    values: t.field({ type: 'JSON', description: 'The full snapshot: { name: value }.', select: { values: true }, resolve: (v) => v.values }),
    changes: t.relation('changes', { query: { orderBy: { parameterName: 'asc' } } }),
    diffAgainst: t.field({
      type: [ValueDiffRef],
      description: 'What changed from version `other` of the same environment to this one.',
      args: { other: t.arg.int({ required: true }) },
      select: { values: true, environmentId: true },
      resolve: (v, { other }, { reads }) => reads.config.diffAgainst(v, other),
    }),
  }),
});

builder.prismaObject('ConfigChange', {
  fields: (t) => ({
    name: t.exposeString('parameterName'),
    before: t.exposeString('before', { nullable: true }),
    after: t.exposeString('after', { nullable: true }),
    parameter: t.relation('parameter'),
  }),
});
