import type { StartedSession } from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { CodeVersionInput } from './parameter-set-freeze.ts';

// A paper or live session binds itself when its runtime agent becomes ready:
// one request (the agent's ready() stays one round trip longer, not three).

const SessionKindEnum = builder.enumType('SessionKind', { values: ['PAPER', 'LIVE'] as const });

const StartSessionInput = builder.inputType('StartSessionInput', {
  fields: (t) => ({
    id: t.id({ required: true, description: 'A uuid the agent chooses: a retry with the same id answers the session it started (created: false).' }),
    kind: t.field({ type: SessionKindEnum, required: true }),
    name: t.string({ required: true }),
    environment: t.string({ required: true, description: 'The service token\'s own environment.' }),
    configVersion: t.int({ required: true, description: 'The version the session starts on: frozen into its set (no factors), its run pinned to it, its first epoch.' }),
    code: t.field({ type: CodeVersionInput, required: true, description: 'Which code the worker runs.' }),
    startedAt: t.field({ type: 'DateTime', required: true, description: 'When the session started under that version, by the agent\'s clock (its epochs use the same clock).' }),
    worker: t.id({ required: false, description: 'The worker running the session.' }),
    metadata: t.field({ type: 'JSON', required: false, description: 'A JSON object; never a catalog parameter.' }),
  }),
});

const StartSessionPayload = builder.objectRef<StartedSession>('StartSessionPayload').implement({
  fields: (t) => ({
    run: t.prismaField({ type: 'Run', resolve: (query, s, _args, { reads, viewer }) => reads.runs.find(query, viewer, { id: s.run.id, name: null }).then((run) => run!) }),
    parameterSetHash: t.exposeString('parameterSetHash', { description: 'The set frozen from the version the session starts on.' }),
    epoch: t.prismaField({ type: 'RunEpoch', resolve: (query, s, _args, { reads }) => reads.runs.epoch(query, s.epoch.id) }),
    created: t.exposeBoolean('created', { description: 'False when a session of this id already existed (a retried start).' }),
  }),
});

builder.mutationFields((t) => ({
  startSession: t.field({
    type: StartSessionPayload,
    authScopes: { service: true },
    description: 'The runtime agent of a paper or live session (its environment\'s service token) freezes the version it starts on, registers the session RUNNING pinned to it and records its first epoch, in one transaction; refused like createParameterSet and createRun.',
    args: { input: t.arg({ type: StartSessionInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) =>
      services.sessions.startSession(viewer!, {
        id: String(input.id),
        kind: input.kind,
        name: input.name,
        environment: input.environment,
        configVersion: input.configVersion,
        codeVersion: input.code,
        startedAt: input.startedAt,
        workerId: input.worker == null ? null : localId(input.worker, 'Worker'),
        metadata: input.metadata,
      }),
  }),
}));
