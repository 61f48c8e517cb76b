import { runOrders, terminalRunStatuses } from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { RunKindEnum, RunStatusEnum } from './enums.ts';

// Operators read every run; a service token its own environment's (the
// environment a run runs in). Another environment's run is absent to a token:
// node(id) is null, lists leave it out.

export const RunOutcomeEnum = builder.enumType('RunOutcome', {
  description: 'How a finished run ended (its terminal status).',
  values: ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const,
});

const RunOrderEnum = builder.enumType('RunOrder', {
  description: 'Sort orders of runs (every column of the console\'s runs list, both ways); kinds and statuses sort in their declared order (PENDING, RUNNING, then the ends); ENDED_AT_* list finished runs only.',
  values: runOrders,
});

export const RunRef = builder.prismaNode('Run', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id, { reads, viewer }) => reads.runs.nodeWhere(id, viewer),
  description: 'An experiment, backtest, paper or live session, bound to the parameter set it ran under and to its own environment version. Fetch one with run(id:) or run(name:).',
  // Lists and lookups leave another environment's runs out; this guards any other path to one.
  authScopes: (run, { viewer, reads }) => reads.runs.canRead(viewer, run),
  fields: (t) => ({
    kind: t.expose('kind', { type: RunKindEnum }),
    name: t.exposeString('name'),
    status: t.expose('status', { type: RunStatusEnum }),
    parameterSet: t.relation('parameterSet'),
    // Columns of the run itself: a list of runs shows them without loading each set or version (whole snapshots).
    parameterSetHash: t.exposeString('parameterSetHash', { description: 'The hash of its parameter set (parameterSet is the set itself).' }),
    version: t.exposeInt('configVersion', { nullable: true, description: 'The number of the version it ran under (configVersion is the version itself); null for a legacy run.' }),
    environment: t.relation('environment', { nullable: true, description: 'Where the run ran (its own, not where its set was first frozen); null for a legacy run.' }),
    configVersion: t.relation('version', {
      nullable: true,
      description: 'The environment version the run ran under: its author, reason, approver and changes. Null for a legacy run.',
    }),
    legacy: t.exposeBoolean('legacy', { description: 'Imported or older than version pinning: no environment version, comparability FORBIDDEN.' }),
    metadata: t.expose('metadata', { type: 'JSON' }),
    createdBy: t.relation('createdBy', { nullable: true, description: 'The operator who registered it; null when a service token did (see startedBy).' }),
    startedBy: t.exposeString('startedBy', { description: 'Who or what started it: a user name, or token:<name>.' }),
    rerunOf: t.relation('rerunOf', { nullable: true, description: 'The run this one re-runs identically (rerunRun).' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    outcome: t.field({
      type: RunOutcomeEnum,
      nullable: true,
      description: 'The terminal status; null while the run is pending or running.',
      select: { status: true },
      resolve: (run) => (terminalRunStatuses.includes(run.status) ? run.status as 'SUCCEEDED' | 'FAILED' | 'CANCELLED' : null),
    }),
    outcomeMessage: t.exposeString('outcomeMessage', { nullable: true, description: 'Why it ended so, recorded with the terminal status.' }),
    outputDigest: t.exposeString('outputDigest', { nullable: true, description: '<algorithm>:<hex> of the run\'s outputs, recorded with the terminal status.' }),
    epochs: t.relatedConnection('epochs', {
      cursor: 'id',
      description: 'For a paper or live session: each environment version it applied, with its set, in order.',
      query: { orderBy: [{ appliedAt: 'asc' }, { id: 'asc' }] },
      totalCount: true,
    }),
  }),
});

builder.queryFields((t) => ({
  runs: t.prismaConnection({
    type: 'Run',
    cursor: 'id',
    description: 'Newest first by default. A service token lists its own environment\'s runs only.',
    args: {
      kind: t.arg({ type: RunKindEnum, required: false }),
      status: t.arg({ type: RunStatusEnum, required: false }),
      parameterSetHash: t.arg.string({ required: false, description: 'Every run sharing one set.' }),
      environment: t.arg.string({ required: false, description: 'The run\'s own environment.' }),
      configVersion: t.arg.int({ required: false, description: 'The number of the version the run ran under (with environment: that one version).' }),
      startedBy: t.arg.string({ required: false, description: 'A user name, or token:<name>.' }),
      search: t.arg.string({ required: false, description: 'Part of the name (any case), the beginning of the set\'s hash, or the run\'s id.' }),
      outcome: t.arg({ type: RunOutcomeEnum, required: false }),
      finished: t.arg.boolean({ required: false }),
      legacy: t.arg.boolean({ required: false }),
      startedAfter: t.arg({ type: 'DateTime', required: false }),
      startedBefore: t.arg({ type: 'DateTime', required: false }),
      endedAfter: t.arg({ type: 'DateTime', required: false }),
      endedBefore: t.arg({ type: 'DateTime', required: false }),
      rerunOf: t.arg.id({ required: false, description: 'The re-runs of one run.' }),
      orderBy: t.arg({ type: RunOrderEnum, required: false }),
    },
    resolve: (query, _root, { orderBy, rerunOf, ...filter }, { reads, viewer }) =>
      reads.runs.list(query, viewer, { ...filter, rerunOf: rerunOf == null ? null : localId(rerunOf, 'Run') }, orderBy),
    totalCount: (_parent, { orderBy, rerunOf, ...filter }, { reads, viewer }) =>
      reads.runs.count(viewer, { ...filter, rerunOf: rerunOf == null ? null : localId(rerunOf, 'Run') }, orderBy),
  }, {}),
  run: t.prismaField({
    type: 'Run',
    nullable: true,
    description: 'One run by id (uuid or global id), or the most recently started run of that name. Null for a run of another environment than a service token\'s.',
    args: { id: t.arg.id({ required: false }), name: t.arg.string({ required: false }) },
    resolve: (query, _root, { id, name }, { reads, viewer }) =>
      reads.runs.find(query, viewer, { id: id == null ? null : localId(id, 'Run'), name }),
  }),
}));
