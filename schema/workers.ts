import { filterEvents } from '../server/realtime/filter-events.ts';
import { assertEnvironmentReadable, canReadEnvironment } from '../server/auth/environment-access.ts';
import type { Viewer } from '../server/auth/viewer.ts';
import type { Db } from '../server/db/transaction.ts';
import { lockEnvironment } from '../server/features/configuration/lock-environment.ts';
import { lagVersions } from '../server/features/workers/worker-service.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { RunKindEnum, WorkerStatusEnum } from './enums.ts';

builder.prismaNode('Worker', {
  id: { field: 'id' },
  description: 'A runtime process (paper, live, backtest…) consuming one environment\'s configuration.',
  authScopes: (worker, { viewer }) => canReadEnvironment(viewer, worker.environmentId),
  fields: (t) => ({
    name: t.exposeString('name'),
    mode: t.expose('mode', { type: RunKindEnum }),
    environment: t.relation('environment'),
    status: t.expose('status', { type: WorkerStatusEnum }),
    receivedVersion: t.exposeInt('receivedVersion', { nullable: true }),
    appliedVersion: t.exposeInt('appliedVersion', { nullable: true }),
    lastAppliedAt: t.expose('lastAppliedAt', { type: 'DateTime', nullable: true }),
    lastHeartbeatAt: t.expose('lastHeartbeatAt', { type: 'DateTime', nullable: true }),
    pendingRestart: t.stringList({ description: 'Changed parameters that wait for a restart (not hot-reloadable).', resolve: (w) => w.pendingRestart ?? [] }),
    consumes: t.stringList({ resolve: (w) => w.consumes ?? [] }),
    registeredAt: t.expose('registeredAt', { type: 'DateTime' }),
    lagVersions: t.int({
      nullable: true,
      description: 'The environment\'s active version minus the applied one; null until the worker applied a version.',
      select: { appliedVersion: true, environment: { select: { activeVersion: true } } },
      resolve: (w) => lagVersions(w.environment.activeVersion, w.appliedVersion),
    }),
  }),
});

/** The environment a workers query or subscription is limited to: the named one (if readable), or a token's own. */
async function scopeEnvironment(db: Db, viewer: Viewer | null, environment: string | null | undefined): Promise<string | undefined> {
  if (environment) {
    const env = await lockEnvironment(db, environment, { forUpdate: false });
    assertEnvironmentReadable(viewer, env.id, environment);
    return env.id;
  }
  return viewer?.kind === 'service' ? viewer.environmentId : undefined;
}

builder.queryField('workers', (t) =>
  t.prismaField({
    type: ['Worker'],
    description: 'Operators see every environment\'s workers; a service token sees its own environment\'s.',
    args: { environment: t.arg.string({ required: false }) },
    resolve: async (query, _root, { environment }, { services, viewer }) => {
      const environmentId = await scopeEnvironment(services.prisma, viewer, environment);
      return services.prisma.worker.findMany({
        ...query,
        where: environmentId ? { environmentId } : {},
        orderBy: [{ environment: { createdAt: 'asc' } }, { name: 'asc' }],
      });
    },
  }));


const RegisterWorkerInput = builder.inputType('RegisterWorkerInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique within the token\'s environment; registering again updates the worker.' }),
    mode: t.field({ type: RunKindEnum, required: true }),
    consumes: t.stringList({ required: true, description: 'The parameter names the worker reads; each must be in the catalog.' }),
  }),
});

const ReportWorkerStatusInput = builder.inputType('ReportWorkerStatusInput', {
  fields: (t) => ({
    workerId: t.id({ required: true }),
    status: t.field({ type: WorkerStatusEnum, required: true }),
    receivedVersion: t.int({ required: false }),
    appliedVersion: t.int({ required: false }),
    pendingRestart: t.stringList({ required: false, description: 'Replaces the stored list when given.' }),
  }),
});

builder.mutationFields((t) => ({
  registerWorker: t.prismaField({
    type: 'Worker',
    authScopes: { service: true },
    description: 'A worker declares itself with its environment\'s service token.',
    args: { input: t.arg({ type: RegisterWorkerInput, required: true }) },
    // Re-read with the query's selection: lagVersions needs the environment row.
    resolve: async (query, _root, { input }, { services, viewer }) => {
      const { id } = await services.workers.registerWorker(viewer!, input);
      return services.prisma.worker.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
  reportWorkerStatus: t.prismaField({
    type: 'Worker',
    authScopes: { service: true },
    description: 'Heartbeat and state of a worker registered by the calling token (FORBIDDEN for any other).',
    args: { input: t.arg({ type: ReportWorkerStatusInput, required: true }) },
    resolve: async (query, _root, { input }, { services, viewer }) => {
      const { id } = await services.workers.reportWorkerStatus(viewer!, { ...input, workerId: localId(input.workerId, 'Worker') });
      return services.prisma.worker.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
}));

builder.subscriptionField('workerStatusChanged', (t) =>
  t.prismaField({
    type: 'Worker',
    description: 'A worker registered, or its status, received or applied version or pending restarts changed (heartbeats alone are silent).',
    args: { environment: t.arg.string({ required: false }) },
    subscribe: async (_root, { environment }, { services, viewer }) => {
      const environmentId = await scopeEnvironment(services.prisma, viewer, environment);
      return filterEvents(
        services.pubsub.subscribe('workerStatusChanged'),
        async ({ id }: { id: string }) => {
          const worker = await services.prisma.worker.findUnique({ where: { id }, select: { environmentId: true } });
          return !!worker && (!environmentId || worker.environmentId === environmentId) && canReadEnvironment(viewer, worker.environmentId);
        },
      ) as never;
    },
    resolve: (query, event, _args, { services }) =>
      services.prisma.worker.findUniqueOrThrow({ ...query, where: { id: (event as unknown as { id: string }).id } }),
  }));
