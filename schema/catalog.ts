import type { Prisma } from '../server/generated/prisma/client.ts';
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

const CatalogGroupRef = builder.objectRef<{ name: string; count: number }>('CatalogGroup').implement({
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

function catalogWhere(filter: typeof CatalogFilter.$inferInput | null | undefined): Prisma.CatalogEntryWhereInput {
  if (!filter) return {};
  const search = filter.search?.trim();
  return {
    ...(search ? {
      OR: [
        { name: { contains: search, mode: 'insensitive' } },
        { description: { contains: search, mode: 'insensitive' } },
        { groupName: { contains: search, mode: 'insensitive' } },
      ],
    } : {}),
    ...(filter.group ? { groupName: filter.group } : {}),
    ...(filter.category ? { category: filter.category } : {}),
    ...(filter.deprecated != null ? { deprecated: filter.deprecated } : {}),
    ...(filter.critical != null ? { critical: filter.critical } : {}),
    ...(filter.hotReloadable != null ? { hotReloadable: filter.hotReloadable } : {}),
  };
}

builder.queryFields((t) => ({
  catalog: t.prismaConnection({
    type: 'CatalogEntry',
    cursor: 'name',
    args: { filter: t.arg({ type: CatalogFilter, required: false }) },
    resolve: (query, _root, { filter }, { services }) =>
      services.prisma.catalogEntry.findMany({ ...query, where: catalogWhere(filter), orderBy: [{ groupName: 'asc' }, { name: 'asc' }] }),
    totalCount: (_parent, { filter }, { services }) => services.prisma.catalogEntry.count({ where: catalogWhere(filter) }),
  }, {}),
  catalogEntry: t.prismaField({
    type: 'CatalogEntry',
    nullable: true,
    args: { name: t.arg.string({ required: true }) },
    resolve: (query, _root, { name }, { services }) => services.prisma.catalogEntry.findUnique({ ...query, where: { name } }),
  }),
  catalogGroups: t.field({
    type: [CatalogGroupRef],
    resolve: async (_root, _args, { services }) => {
      const groups = await services.prisma.catalogEntry.groupBy({ by: ['groupName'], _count: { _all: true }, orderBy: { groupName: 'asc' } });
      return groups.map((g) => ({ name: g.groupName, count: g._count._all }));
    },
  }),
  catalogVersion: t.field({
    type: 'Int',
    description: 'The catalog revision parameter sets record (max of the catalog history).',
    resolve: async (_root, _args, { services }) => Number((await services.catalogCache.load(services.prisma)).revision),
  }),
}));
