import { typedValue, type ParameterValue } from '../server/features/configuration/index.ts';
import { builder } from './builder.ts';
import { CatalogEntryRef } from './catalog.ts';
import { uuidWhere } from './uuid-where.ts';

const ParameterValueRef = builder.objectRef<ParameterValue>('ParameterValue').implement({
  description: 'The active value of one parameter in one environment, typed by its catalog entry.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value', { nullable: true, description: 'As stored (ADR-59: values are strings). Null when the environment has no value yet.' }),
    typed: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value as its catalog type: number, boolean or string. Null when missing or not valid for today\'s catalog.',
      resolve: (value) => typedValue(value),
    }),
    // A prismaField, so plugin-prisma maps the selection onto the entry it
    // returns: the replacement that came with it from the catalog in memory
    // answers `replacement`, where a plain field would have it re-read the
    // entry to load it (two statements per agent load). Relations the value
    // does not carry (history) are loaded as before.
    entry: t.prismaField({ type: CatalogEntryRef, nullable: true, resolve: (_query, v) => v.entry ?? null }),
  }),
});

export const EnvironmentRef = builder.prismaNode('Environment', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  authScopes: (env, { viewer, reads }) => reads.config.canRead(viewer, env.id),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    activeVersion: t.exposeInt('activeVersion'),
    activeConfig: t.prismaField({
      type: 'ConfigVersion',
      nullable: true,
      select: { id: true, activeVersion: true },
      resolve: (query, env, _args, { reads }) => reads.config.version(query, env.id, env.activeVersion),
    }),
    values: t.field({
      type: [ParameterValueRef],
      args: {
        names: t.arg.stringList({ required: false, description: 'Only these parameters.' }),
        group: t.arg.string({ required: false }),
      },
      select: { id: true, activeVersion: true },
      resolve: (env, filter, { reads }) => reads.config.values(env, filter),
    }),
    version: t.prismaField({
      type: 'ConfigVersion',
      nullable: true,
      args: { number: t.arg.int({ required: true }) },
      select: { id: true },
      resolve: (query, env, { number }, { reads }) => reads.config.version(query, env.id, number),
    }),
    versions: t.relatedConnection('versions', {
      cursor: 'id',
      args: {
        parameter: t.arg.string({ required: false, description: 'Only versions that changed this parameter.' }),
        author: t.arg.string({ required: false, description: 'Only versions written by this user name.' }),
        since: t.arg({ type: 'DateTime', required: false }),
        until: t.arg({ type: 'DateTime', required: false }),
      },
      query: (filter, { reads }) => reads.config.versionsQuery(filter),
      totalCount: true,
    }),
  }),
});

builder.queryFields((t) => ({
  environments: t.prismaField({
    type: ['Environment'],
    resolve: (query, _root, _args, { reads, viewer }) => reads.config.environments(query, viewer),
  }),
  environment: t.prismaField({
    type: 'Environment',
    args: { name: t.arg.string({ required: true }) },
    resolve: (query, _root, { name }, { reads, viewer }) => reads.config.environment(query, viewer, name),
  }),
}));
