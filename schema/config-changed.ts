import type { ConfigChangedEvent } from '../server/features/configuration/index.ts';
import { builder } from './builder.ts';
import { VersionKindEnum } from './enums.ts';
import { ValueDiffRef } from './value-diff.ts';

const ConfigChangedEventRef = builder.objectRef<ConfigChangedEvent>('ConfigChangedEvent').implement({
  fields: (t) => ({
    environment: t.exposeString('environment'),
    version: t.exposeInt('version'),
    kind: t.expose('kind', { type: VersionKindEnum }),
    changedKeys: t.exposeStringList('changedKeys'),
    changes: t.field({ type: [ValueDiffRef], description: 'Each changed parameter with its value before and after.', resolve: (e) => e.changes }),
    author: t.exposeString('author'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.subscriptionField('configChanged', (t) =>
  t.field({
    type: ConfigChangedEventRef,
    description: 'Every committed version of an environment, in order, once. With `afterVersion`, versions already committed after it are replayed first (resume without gaps).',
    args: {
      environment: t.arg.string({ required: true }),
      afterVersion: t.arg.int({ required: false }),
    },
    subscribe: (_root, { environment, afterVersion }, { reads, viewer }) => reads.config.subscribeChanges(viewer, environment, afterVersion),
    resolve: (event) => event,
  }));
