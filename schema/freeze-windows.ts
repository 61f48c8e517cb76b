import { canReadEnvironment } from '../server/features/access/index.ts';
import { isFreezeWindowActive } from '../server/features/freeze/index.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { uuidWhere } from './uuid-where.ts';

// Freeze windows: intervals in which an environment refuses every save
// (FROZEN). Planned and cancelled by admins; shown to everyone who reads the
// environment, so the console can put up its banner and disable Save.

builder.prismaNode('FreezeWindow', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  authScopes: (window, { viewer }) => canReadEnvironment(viewer, window.environmentId),
  description: 'An interval in which saves to one environment are refused with FROZEN.',
  fields: (t) => ({
    environment: t.relation('environment'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: 'Exclusive: saves go through again from this instant.' }),
    reason: t.exposeString('reason'),
    createdBy: t.relation('createdBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
    active: t.boolean({
      description: 'Saves are refused right now because of this window (started, not ended, not cancelled).',
      select: { startsAt: true, endsAt: true, cancelledAt: true },
      resolve: (window) => isFreezeWindowActive(window),
    }),
  }),
});

builder.prismaObjectFields('Environment', (t) => ({
  freezeWindows: t.relation('freezeWindows', {
    description: 'The open window and those to come (cancelled and ended ones left out), by start.',
    // A function, so "now" is read per request rather than once at schema build.
    query: (_args, { reads }) => reads.freezeWindows.pendingQuery(),
  }),
  activeFreezeWindow: t.prismaField({
    type: 'FreezeWindow',
    nullable: true,
    description: 'The window refusing saves right now, if any (the one ending last when several overlap).',
    select: { id: true },
    resolve: (query, env, _args, { reads }) => reads.freezeWindows.active(query, env.id),
  }),
}));

const CreateFreezeWindowInput = builder.inputType('CreateFreezeWindowInput', {
  fields: (t) => ({
    environment: t.string({ required: true, description: 'The environment name, e.g. prod.' }),
    startsAt: t.field({ type: 'DateTime', required: true, description: 'May be now or in the past: the freeze then starts at once.' }),
    endsAt: t.field({ type: 'DateTime', required: true, description: 'After startsAt and in the future.' }),
    reason: t.string({ required: true, description: 'Why (required); operators whose save is refused read it.' }),
  }),
});

const CancelFreezeWindowInput = builder.inputType('CancelFreezeWindowInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'The freeze window id (uuid or global id).' }),
    reason: t.string({ required: true, description: 'Why (required, kept in the audit trail).' }),
  }),
});


builder.mutationFields((t) => ({
  createFreezeWindow: t.prismaField({
    type: 'FreezeWindow',
    authScopes: { admin: true },
    description: 'Plans a window in which saves to the environment are refused with FROZEN.',
    args: { input: t.arg({ type: CreateFreezeWindowInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const window = await services.freezeWindows.create(viewer!, input);
      return reads.freezeWindows.existing(query, window.id);
    },
  }),
  cancelFreezeWindow: t.prismaField({
    type: 'FreezeWindow',
    authScopes: { admin: true },
    description: 'Ends a planned or open window now (it stays on record); CONFLICT when already cancelled or over.',
    args: { input: t.arg({ type: CancelFreezeWindowInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const window = await services.freezeWindows.cancel(viewer!, { ...input, id: localId(input.id, 'FreezeWindow') });
      return reads.freezeWindows.existing(query, window.id);
    },
  }),
}));
