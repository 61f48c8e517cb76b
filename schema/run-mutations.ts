import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { RunKindEnum, RunStatusEnum } from './enums.ts';

const CreateRunInput = builder.inputType('CreateRunInput', {
  fields: (t) => ({
    kind: t.field({ type: RunKindEnum, required: true }),
    name: t.string({ required: true }),
    parameterSetHash: t.string({ required: true, description: 'An existing set (NOT_FOUND otherwise): every run is bound to one.' }),
    environment: t.string({ required: false, description: 'Where the run runs: a service token\'s own environment by default, else where the set was first frozen.' }),
    configVersion: t.int({
      required: false,
      description: 'The environment version the run runs under; it must hold exactly the set\'s values. Defaults to the version the set was frozen from in that environment, else the active one.',
    }),
    metadata: t.field({ type: 'JSON', required: false, description: 'A JSON object (crypto list, folds, trial, Airflow run id…); never a catalog parameter.' }),
  }),
});

const UpdateRunStatusInput = builder.inputType('UpdateRunStatusInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'The run id (uuid or global id).' }),
    status: t.field({ type: RunStatusEnum, required: true }),
    endedAt: t.field({ type: 'DateTime', required: false, description: 'For SUCCEEDED, FAILED or CANCELLED; defaults to now.' }),
    outcomeMessage: t.string({ required: false, description: 'Why it ended so; with a terminal status only.' }),
    outputDigest: t.string({ required: false, description: '<algorithm>:<hex> of the run\'s outputs, e.g. sha256:…; with a terminal status only (set once).' }),
    expectedStatus: t.field({
      type: RunStatusEnum, required: false,
      description: 'Compare-and-set: CONFLICT unless the run is in this status now (claim a PENDING run with status RUNNING, expectedStatus PENDING).',
    }),
  }),
});

const RerunRunInput = builder.inputType('RerunRunInput', {
  fields: (t) => ({
    run: t.id({ required: true, description: 'The run to repeat (uuid or global id).' }),
    name: t.string({ required: false, description: 'Defaults to the original\'s name.' }),
  }),
});

const RecordSessionEpochInput = builder.inputType('RecordSessionEpochInput', {
  fields: (t) => ({
    run: t.id({ required: true, description: 'The paper or live session (uuid or global id).' }),
    configVersion: t.int({ required: true, description: 'The version of the session\'s environment it applied.' }),
    parameterSetHash: t.string({ required: true, description: 'The set frozen from that version (createParameterSet).' }),
    appliedAt: t.field({ type: 'DateTime', required: true, description: 'When it was applied (at a safe boundary); epochs come in order.' }),
    worker: t.id({ required: false, description: 'The worker running the session (binds the session to it).' }),
  }),
});

builder.mutationFields((t) => ({
  createRun: t.prismaField({
    type: 'Run',
    authScopes: { editor: true, service: true },
    description: 'Registers a run on a parameter set, pinned to an environment version holding exactly the set\'s values (a service token: in its own environment). Refused with DEPRECATED when the set holds a value deprecated since it was frozen.',
    args: { input: t.arg({ type: CreateRunInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) => services.runs.createRun(viewer!, input),
  }),
  updateRunStatus: t.prismaField({
    type: 'Run',
    authScopes: { editor: true, service: true },
    description: 'PENDING → RUNNING → SUCCEEDED | FAILED | CANCELLED, with the outcome recorded with the terminal status; a terminal status is final (CONFLICT).',
    args: { input: t.arg({ type: UpdateRunStatusInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.runs.updateRunStatus(viewer!, { ...input, id: localId(input.id, 'Run') }),
  }),
  rerunRun: t.prismaField({
    type: 'Run',
    authScopes: { editor: true },
    description: '"Re-run identical": a new run of the same kind on the same set, environment version and metadata (editors and above; audited). A backtest\'s re-run is queued PENDING and the product runs it again: it ends SUCCEEDED with its outputDigest, or FAILED with why.',
    args: { input: t.arg({ type: RerunRunInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.runs.rerun(viewer!, { id: localId(input.run, 'Run'), name: input.name }),
  }),
  recordSessionEpoch: t.prismaField({
    type: 'RunEpoch',
    authScopes: { service: true },
    description: 'The runtime agent records that its paper or live session applied a version of its environment (service token of that environment). A retry of the same epoch answers the recorded one.',
    args: { input: t.arg({ type: RecordSessionEpochInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.runEpochs.recordEpoch(viewer!, {
        runId: localId(input.run, 'Run'),
        configVersion: input.configVersion,
        parameterSetHash: input.parameterSetHash,
        appliedAt: input.appliedAt,
        workerId: input.worker == null ? null : localId(input.worker, 'Worker'),
      }),
  }),
}));
