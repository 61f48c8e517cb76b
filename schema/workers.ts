import { canReadEnvironment } from '../server/features/access/index.ts';
import { lagThresholds, versionsBehind } from '../server/features/workers/index.ts';
import { builder } from './builder.ts';
import { uuidWhere } from './uuid-where.ts';
import { localId } from './local-id.ts';
import { RunKindEnum, WorkerStatusEnum } from './enums.ts';

// Runtime workers: the registry, their status and lag (the rule is
// server/features/workers/lag-rule.ts), and what they applied when (the
// per-worker dashboard and the save-to-apply latency chart).

/** The columns the lag fields read: the rule's inputs. */
const lagSelection = { environmentId: true, appliedVersion: true, environment: { select: { activeVersion: true } } } as const;

export const WorkerRef = builder.prismaNode('Worker', {
  // node(id:) reads a missing or malformed id as null (node-lookup.ts).
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
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
      resolve: (w) => versionsBehind(w.environment.activeVersion, w.appliedVersion),
    }),
    lagSeconds: t.float({
      nullable: true,
      description: 'How long the oldest version the worker has not applied has been active; 0 when up to date, null before its first apply.',
      select: lagSelection,
      resolve: async (w, _args, { loaders }) => (await loaders.workerLag(w)).seconds,
    }),
    lagging: t.boolean({
      description: `More than ${lagThresholds.versions} versions or ${lagThresholds.seconds} seconds behind its environment.`,
      select: lagSelection,
      resolve: async (w, _args, { loaders }) => (await loaders.workerLag(w)).lagging,
    }),
    recentApplies: t.relation('applies', {
      args: { last: t.arg.int({ required: false, defaultValue: 20 }) },
      query: ({ last }, { reads }) => reads.workers.appliesOfWorker(last),
    }),
  }),
});

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

builder.queryFields((t) => ({
  workers: t.prismaField({
    type: ['Worker'],
    description: 'Operators see every environment\'s workers; a service token sees its own environment\'s.',
    args: { environment: t.arg.string({ required: false }) },
    resolve: (query, _root, { environment }, { reads, viewer }) => reads.workers.list(query, viewer, { environment }),
  }),
  recentApplies: t.prismaField({
    type: ['WorkerApply'],
    description: 'The latest apply reports of an environment, newest first (the latency chart).',
    args: { environment: t.arg.string({ required: true }), last: t.arg.int({ required: false, defaultValue: 200 }) },
    resolve: (query, _root, { environment, last }, { reads, viewer }) => reads.workers.recentApplies(query, viewer, { environment, last }),
  }),
}));

const WorkerStatusAtRegistrationInput = builder.inputType('WorkerStatusAtRegistrationInput', {
  description: 'A status report sent with the registration (reportWorkerStatus\'s fields but the worker\'s id).',
  fields: (t) => ({
    status: t.field({ type: WorkerStatusEnum, required: true }),
    receivedVersion: t.int({ required: false }),
    appliedVersion: t.int({ required: false }),
    pendingRestart: t.stringList({ required: false, description: 'Replaces the stored list when given.' }),
  }),
});

const RegisterWorkerInput = builder.inputType('RegisterWorkerInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique within the token\'s environment; registering again updates the worker.' }),
    mode: t.field({ type: RunKindEnum, required: true }),
    consumes: t.stringList({ required: true, description: 'The parameter names the worker reads; each must be in the catalog.' }),
    status: t.field({ type: WorkerStatusAtRegistrationInput, required: false, description: 'Its first status report, recorded with the registration: a worker that starts ready saves a reportWorkerStatus.' }),
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

/** Whether a Pothos prismaField query asks for more than the model's scalar columns (server/db/scalars-only.ts is the server's side of it: schema/ reaches the server through faces only). */
function hasSelections(query: { include?: object; select?: object }): boolean {
  return Object.keys(query.include ?? {}).length > 0 || query.select !== undefined;
}

// Each mutation answers with the worker re-read with the operation's
// selection when it selects relations (the lag fields need the environment
// row); registration and apply reports answer scalars with the row they wrote.
builder.mutationFields((t) => ({
  registerWorker: t.prismaField({
    type: 'Worker',
    authScopes: { service: true },
    description: 'A worker declares itself with its environment\'s service token.',
    args: { input: t.arg({ type: RegisterWorkerInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const worker = await services.workers.registerWorker(viewer!, input);
      // The registration's statement returns the worker row: enough for a
      // worker asking for its id or scalars (a fleet registers at once).
      return hasSelections(query) ? reads.workers.byId(query, worker.id) : worker;
    },
  }),
  reportWorkerStatus: t.prismaField({
    type: 'Worker',
    authScopes: { service: true },
    description: 'Heartbeat and state of a worker registered by the calling token (FORBIDDEN for any other).',
    args: { input: t.arg({ type: ReportWorkerStatusInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const { id } = await services.workers.reportWorkerStatus(viewer!, { ...input, workerId: localId(input.workerId, 'Worker') });
      return reads.workers.byId(query, id);
    },
  }),
  reportWorkerApply: t.prismaField({
    type: 'Worker',
    authScopes: { service: true },
    description: 'A worker applied a version at a safe boundary; records the save-to-apply latency.',
    args: { input: t.arg({ type: ReportWorkerApplyInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const worker = await services.workers.reportApply(viewer!, { ...input, workerId: localId(input.workerId, 'Worker') });
      // The group commit returns the worker row: enough for a worker asking
      // for its id or scalars (a thousand of them report at once).
      return hasSelections(query) ? reads.workers.byId(query, worker.id) : worker;
    },
  }),
}));

builder.subscriptionField('workerStatusChanged', (t) =>
  t.prismaField({
    type: 'Worker',
    description: 'A worker registered, or its status, received or applied version or pending restarts changed (heartbeats alone are silent).',
    args: { environment: t.arg.string({ required: false }) },
    subscribe: (_root, { environment }, { reads, viewer }) => reads.workers.statusChanges(viewer, { environment }) as never,
    resolve: (query, event, _args, { reads }) => reads.workers.byId(query, (event as unknown as { id: string }).id),
  }));
