import { canReadEnvironment } from '../server/auth/environment-access.ts';
import { lagThresholds } from '../server/features/workers/worker-service.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';

// What workers applied and when: the per-worker dashboard's lag and the
// save-to-apply latency chart. Extends the Worker type of workers.ts.

builder.prismaObject('WorkerApply', {
  fields: (t) => ({
    version: t.exposeInt('version'),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
    appliedAt: t.expose('appliedAt', { type: 'DateTime' }),
    latencyMs: t.exposeFloat('latencyMs', { nullable: true, description: 'Save committed (version created) to applied by the worker.' }),
    keys: t.exposeStringList('keys'),
    worker: t.relation('worker'),
  }),
});

/** Whether a Pothos prismaField query asks for more than the model's scalar columns. */
function hasSelections(query: { include?: object; select?: object }): boolean {
  return Object.keys(query.include ?? {}).length > 0 || query.select !== undefined;
}

/** Seconds since the first version the worker has not applied was saved; 0 when up to date. */
async function lagSeconds(worker: { environmentId: string; appliedVersion: number | null; environment: { activeVersion: number } }, loaders: { versionCreatedAt: { load(key: string): Promise<Date | null> } }): Promise<number | null> {
  if (worker.appliedVersion === null) return null;
  if (worker.appliedVersion >= worker.environment.activeVersion) return 0;
  const savedAt = await loaders.versionCreatedAt.load(`${worker.environmentId}:${worker.appliedVersion + 1}`);
  return savedAt ? Math.max(0, (Date.now() - savedAt.getTime()) / 1000) : null;
}

builder.prismaObjectFields('Worker', (t) => ({
  lagSeconds: t.float({
    nullable: true,
    description: 'How long the oldest version the worker has not applied has been active; 0 when up to date, null before its first apply.',
    select: { environmentId: true, appliedVersion: true, environment: { select: { activeVersion: true } } },
    resolve: (worker, _args, { loaders }) => lagSeconds(worker, loaders),
  }),
  lagging: t.boolean({
    description: `More than ${lagThresholds.versions} versions or ${lagThresholds.seconds} seconds behind its environment.`,
    select: { environmentId: true, appliedVersion: true, environment: { select: { activeVersion: true } } },
    resolve: async (worker, _args, { loaders }) => {
      if (worker.appliedVersion === null) return false;
      const seconds = await lagSeconds(worker, loaders);
      return worker.environment.activeVersion - worker.appliedVersion > lagThresholds.versions || (seconds ?? 0) > lagThresholds.seconds;
    },
  }),
  recentApplies: t.relation('applies', {
    args: { last: t.arg.int({ required: false, defaultValue: 20 }) },
    query: ({ last }) => ({ orderBy: { appliedAt: 'desc' }, take: Math.min(Math.max(last ?? 20, 1), 500) }),
  }),
}));

builder.queryField('recentApplies', (t) =>
  t.prismaField({
    type: ['WorkerApply'],
    description: 'The latest apply reports of an environment, newest first (the latency chart).',
    args: { environment: t.arg.string({ required: true }), last: t.arg.int({ required: false, defaultValue: 200 }) },
    resolve: async (query, _root, { environment, last }, { services, viewer }) => {
      const env = await services.prisma.environment.findUnique({ where: { name: environment }, select: { id: true } });
      if (!env || !canReadEnvironment(viewer, env.id)) return [];
      return services.prisma.workerApply.findMany({
        ...query,
        where: { worker: { environmentId: env.id } },
        orderBy: { appliedAt: 'desc' },
        take: Math.min(Math.max(last ?? 200, 1), 2000),
      });
    },
  }));

const ReportWorkerApplyInput = builder.inputType('ReportWorkerApplyInput', {
  fields: (t) => ({
    workerId: t.id({ required: true }),
    version: t.int({ required: true }),
    receivedAt: t.field({ type: 'DateTime', required: true }),
    appliedAt: t.field({ type: 'DateTime', required: true }),
    keys: t.stringList({ required: true, description: 'The parameters whose new values took effect.' }),
    pendingRestart: t.stringList({ required: false, description: 'Replaces the stored list of changes waiting for a restart.' }),
  }),
});

builder.mutationField('reportWorkerApply', (t) =>
  t.prismaField({
    type: 'Worker',
    authScopes: { service: true },
    description: 'A worker applied a version at a safe boundary; records the save-to-apply latency.',
    args: { input: t.arg({ type: ReportWorkerApplyInput, required: true }) },
    resolve: async (query, _root, { input }, { services, viewer }) => {
      const worker = await services.workers.reportApply(viewer!, { ...input, workerId: localId(input.workerId, 'Worker') });
      // The group commit returns the worker row: enough for a worker asking
      // for its id or scalars; a selection that needs relations is re-read.
      if (!hasSelections(query)) return worker;
      return services.prisma.worker.findUniqueOrThrow({ ...query, where: { id: worker.id } });
    },
  }));
