import { builder } from './builder.ts';

// A paper or live session's epochs: reached through Run.epochs, so the run's
// own permission (its environment) already applies.
builder.prismaObject('RunEpoch', {
  description: 'One environment version a session applied, with the set frozen from it.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    version: t.exposeInt('configVersion', { description: 'The version number (configVersion is the version itself).' }),
    configVersion: t.relation('version'),
    parameterSetHash: t.exposeString('parameterSetHash'),
    parameterSet: t.relation('parameterSet'),
    appliedAt: t.expose('appliedAt', { type: 'DateTime', description: 'When the session applied it, at a safe boundary.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    recordedBy: t.exposeString('recordedBy', { description: 'token:<name> of the runtime agent that recorded it.' }),
    worker: t.relation('worker', { nullable: true, description: 'The worker process running the session.' }),
  }),
});
