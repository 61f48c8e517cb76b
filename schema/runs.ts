import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { RunKindEnum, RunStatusEnum } from './enums.ts';

// Operators read every run; a service token its own environment's (the
// environment a run runs in). Another environment's run is absent to a token:
// node(id) is null, lists leave it out.
builder.prismaNode('Run', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id, { reads, viewer }) => reads.runs.nodeWhere(id, viewer),
  description: 'An experiment, backtest, paper or live session, bound to the parameter set it ran under. Fetch one with node(id:).',
  fields: (t) => ({
    kind: t.expose('kind', { type: RunKindEnum }),
    name: t.exposeString('name'),
    status: t.expose('status', { type: RunStatusEnum }),
    parameterSet: t.relation('parameterSet'),
    metadata: t.expose('metadata', { type: 'JSON' }),
    createdBy: t.relation('createdBy', { nullable: true, description: 'The operator who registered it; null when a service token did (the audit trail names the token).' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('runs', (t) =>
  t.prismaConnection({
    type: 'Run',
    cursor: 'id',
    description: 'Newest first. `parameterSetHash` lists every run sharing one set.',
    args: {
      kind: t.arg({ type: RunKindEnum, required: false }),
      status: t.arg({ type: RunStatusEnum, required: false }),
      parameterSetHash: t.arg.string({ required: false }),
    },
    resolve: (query, _root, args, { reads, viewer }) => reads.runs.list(query, viewer, args),
    totalCount: (_parent, args, { reads, viewer }) => reads.runs.count(viewer, args),
  }, {}));

const CreateRunInput = builder.inputType('CreateRunInput', {
  fields: (t) => ({
    kind: t.field({ type: RunKindEnum, required: true }),
    name: t.string({ required: true }),
    parameterSetHash: t.string({ required: true, description: 'An existing set (NOT_FOUND otherwise): every run is bound to one.' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'A JSON object (crypto list, folds, trial, Airflow run id…).' }),
  }),
});

const UpdateRunStatusInput = builder.inputType('UpdateRunStatusInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'The run id (uuid or global id).' }),
    status: t.field({ type: RunStatusEnum, required: true }),
    endedAt: t.field({ type: 'DateTime', required: false, description: 'For SUCCEEDED, FAILED or CANCELLED; defaults to now.' }),
  }),
});

builder.mutationFields((t) => ({
  createRun: t.prismaField({
    type: 'Run',
    authScopes: { editor: true, service: true },
    args: { input: t.arg({ type: CreateRunInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) => services.runs.createRun(viewer!, input),
  }),
  updateRunStatus: t.prismaField({
    type: 'Run',
    authScopes: { editor: true, service: true },
    description: 'PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLED; a terminal status is final (CONFLICT).',
    args: { input: t.arg({ type: UpdateRunStatusInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.runs.updateRunStatus(viewer!, { ...input, id: localId(input.id, 'Run') }),
  }),
}));
