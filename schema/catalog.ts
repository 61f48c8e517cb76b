import type { CatalogGroup } from '../server/features/catalog/index.ts';
import { builder } from './builder.ts';
import { ParameterCategoryEnum, ParameterTypeEnum } from './enums.ts';

/** A value that used to be legal and is refused now, with why. */
const DeprecatedValueRef = builder.objectRef<{ value: string; reason: string }>('DeprecatedValue').implement({
  fields: (t) => ({ value: t.exposeString('value'), reason: t.exposeString('reason') }),
});

export const CatalogEntryRef = builder.prismaNode('CatalogEntry', {
  nullable: true,
  id: { field: 'name' },
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.expose('type', { type: ParameterTypeEnum }),
    allowedValues: t.exposeStringList('allowedValues'),
    minValue: t.exposeFloat('minValue', { nullable: true }),
    maxValue: t.exposeFloat('maxValue', { nullable: true }),
    defaultValue: t.exposeString('defaultValue', { nullable: true }),
    unit: t.exposeString('unit', { nullable: true }),
    description: t.exposeString('description'),
    group: t.exposeString('groupName'),
    required: t.exposeBoolean('required'),
    deprecated: t.exposeBoolean('deprecated'),
    deprecationReason: t.exposeString('deprecationReason', { nullable: true }),
    replacement: t.relation('replacement', { nullable: true }),
    deprecatedValues: t.field({
      type: [DeprecatedValueRef],
      select: { deprecatedValues: true },
      resolve: (entry) => (entry.deprecatedValues ?? []) as { value: string; reason: string }[],
    }),
    hotReloadable: t.exposeBoolean('hotReloadable'),
    category: t.expose('category', { type: ParameterCategoryEnum }),
    critical: t.exposeBoolean('critical'),
    excludedFromFtf: t.exposeBoolean('excludedFromFtf'),
    validator: t.exposeString('validator', { nullable: true }),
    maxLength: t.exposeInt('maxLength', { nullable: true, description: 'The longest value accepted, in characters; null: the server\'s global ceiling.' }),
    consumedOutside: t.exposeString('consumedOutside', { nullable: true, description: 'The code outside the sources `npm run catalog:drift` scans that reads it (e.g. python-training-harness); null: the scanned code must consume it.' }),
    revision: t.exposeInt('revision'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    history: t.relation('history', { query: { orderBy: { revision: 'desc' } } }),
  }),
});

builder.prismaObject('CatalogRevision', {
  fields: (t) => ({
    revision: t.exposeInt('revision'),
    action: t.exposeString('action'),
    snapshot: t.expose('snapshot', { type: 'JSON' }),
    changedBy: t.exposeString('changedBy'),
    reason: t.exposeString('reason'),
    changedAt: t.expose('changedAt', { type: 'DateTime' }),
  }),
});

const CatalogGroupRef = builder.objectRef<CatalogGroup>('CatalogGroup').implement({
  fields: (t) => ({ name: t.exposeString('name'), count: t.exposeInt('count') }),
});

const CatalogFilter = builder.inputType('CatalogFilter', {
  fields: (t) => ({
    search: t.string({ required: false, description: 'Case-insensitive match on name, description or group.' }),
    group: t.string({ required: false }),
    category: t.field({ type: ParameterCategoryEnum, required: false }),
    deprecated: t.boolean({ required: false }),
    critical: t.boolean({ required: false }),
    hotReloadable: t.boolean({ required: false }),
  }),
});

builder.queryFields((t) => ({
  catalog: t.prismaConnection({
    type: 'CatalogEntry',
    cursor: 'name',
    args: { filter: t.arg({ type: CatalogFilter, required: false }) },
    resolve: (query, _root, { filter }, { reads }) => reads.catalog.entries(query, filter),
    totalCount: (_parent, { filter }, { reads }) => reads.catalog.count(filter),
  }, {}),
  catalogEntry: t.prismaField({
    type: 'CatalogEntry',
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (query, _root, { name }, { reads }) => reads.catalog.entry(query, name),
  }),
  catalogGroups: t.field({
    type: [CatalogGroupRef],
    resolve: (_root, _args, { reads }) => reads.catalog.groups(),
  }),
  catalogVersion: t.field({
    type: 'Int',
    description: 'The catalog revision parameter sets record (max of the catalog history).',
    resolve: (_root, _args, { reads }) => reads.catalog.version(),
  }),
}));
