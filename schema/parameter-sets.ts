import type { Prisma } from '../server/generated/prisma/client.ts';
import { diffSnapshots } from '../server/features/configuration/index.ts';
import type { CatalogDiff, KeyDiff, ParameterSetComparison } from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { ValueDiffRef } from './value-diff.ts';

// Parameter sets and runs are read by any signed-in caller, tokens included:
// a set is content, not an environment's state (the same values frozen from
// dev and from prod are one set), and a research orchestrator holding a dev
// token must read the set prod reused. Values are not secrets (ADR-59 keeps
// secrets out of the configuration).

builder.prismaNode('ParameterSet', {
  id: { field: 'hash' },
  description: 'An immutable, content-addressed snapshot: the values of an environment version, the catalog metadata of those parameters, the experiment factors and the code version.',
  fields: (t) => ({
    hash: t.exposeString('hash', { description: 'sha256 of the RFC 8785 canonical JSON of { values, catalog, factors, codeVersion }.' }),
    environment: t.relation('environment', { nullable: true, description: 'Where the set was first frozen (provenance, not content).' }),
    configVersion: t.exposeInt('configVersion', { nullable: true, description: 'The environment version it was first frozen from (provenance).' }),
    catalogVersion: t.int({ description: 'The catalog revision at first freeze (provenance).', resolve: (set) => Number(set.catalogVersion) }),
    values: t.expose('values', { type: 'JSON', description: '{ name: value } for every parameter.' }),
    catalogSnapshot: t.expose('catalogSnapshot', { type: 'JSON', description: '{ name: { type, allowedValues, minValue, maxValue, defaultValue, hotReloadable, category, critical, deprecated } }.' }),
    factors: t.expose('factors', { type: 'JSON', description: 'The resolved experimental variants.' }),
    codeVersion: t.expose('codeVersion', { type: 'JSON' }),
    createdBy: t.relation('createdBy', { nullable: true, description: 'The operator who froze it; null when a service token did (the audit trail names the token).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    entries: t.relation('entries', { query: { orderBy: { parameterName: 'asc' } } }),
    runs: t.relatedConnection('runs', {
      cursor: 'id',
      description: 'Every run bound to this set, newest first.',
      query: { orderBy: [{ startedAt: 'desc' }, { id: 'asc' }] },
      totalCount: true,
    }),
  }),
});

builder.prismaObject('ParameterSetEntry', {
  fields: (t) => ({
    name: t.exposeString('parameterName'),
    value: t.exposeString('value'),
    parameter: t.relation('parameter', { description: 'The catalog entry as it is today (the frozen metadata is in catalogSnapshot).' }),
  }),
});

const CatalogDiffRef = builder.objectRef<CatalogDiff>('CatalogDiff').implement({
  description: 'One frozen catalog field of one parameter that differs; field "entry" when only one set has the parameter.',
  fields: (t) => ({
    name: t.exposeString('name'),
    field: t.exposeString('field'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.after }),
  }),
});

const KeyDiffRef = builder.objectRef<KeyDiff>('KeyDiff').implement({
  description: 'One top-level key of factors or codeVersion that differs.',
  fields: (t) => ({
    key: t.exposeString('key'),
    before: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (d) => d.after }),
  }),
});

const ParameterSetComparisonRef = builder.objectRef<ParameterSetComparison>('ParameterSetComparison').implement({
  description: 'What changed from set `a` to set `b`.',
  fields: (t) => ({
    a: t.prismaField({ type: 'ParameterSet', resolve: (_query, c) => c.from }),
    b: t.prismaField({ type: 'ParameterSet', resolve: (_query, c) => c.to }),
    values: t.field({
      type: [ValueDiffRef],
      resolve: (c) => diffSnapshots(c.from.values as Record<string, string>, c.to.values as Record<string, string>),
    }),
    catalog: t.field({ type: [CatalogDiffRef], resolve: (c) => c.catalog }),
    factors: t.field({ type: [KeyDiffRef], resolve: (c) => c.factors }),
    codeVersion: t.field({ type: [KeyDiffRef], resolve: (c) => c.codeVersion }),
  }),
});

builder.queryFields((t) => ({
  parameterSets: t.prismaConnection({
    type: 'ParameterSet',
    cursor: 'hash',
    description: 'Newest first. `environment` filters on where a set was first frozen.',
    args: { environment: t.arg.string({ required: false }) },
    resolve: (query, _root, { environment }, { reads }) => reads.parameterSets.list(query, { environment }),
    totalCount: (_parent, { environment }, { reads }) => reads.parameterSets.count({ environment }),
  }, {}),
  parameterSet: t.prismaField({
    type: 'ParameterSet',
    nullable: true,
    args: { hash: t.arg.string({ required: true }) },
    resolve: (query, _root, { hash }, { reads }) => reads.parameterSets.byHash(query, hash),
  }),
  compareParameterSets: t.field({
    type: ParameterSetComparisonRef,
    description: 'Value, catalog-metadata, factor and code-version differences between two sets (NOT_FOUND for an unknown hash).',
    args: { a: t.arg.string({ required: true }), b: t.arg.string({ required: true }) },
    resolve: (_root, { a, b }, { reads }) => reads.parameterSets.compare(a, b),
  }),
}));

const CreateParameterSetInput = builder.inputType('CreateParameterSetInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    version: t.int({ required: false, description: 'Defaults to the active version.' }),
    factors: t.field({ type: 'JSON', required: false, description: 'The resolved experimental variants, a JSON object ({} when none).' }),
    codeVersion: t.field({ type: 'JSON', required: true, description: 'A non-empty JSON object, e.g. { "git": "abc123", "image": "…" }.' }),
  }),
});

const CreateParameterSetPayload = builder.objectRef<{ parameterSet: Prisma.ParameterSetGetPayload<object>; created: boolean }>('CreateParameterSetPayload').implement({
  fields: (t) => ({
    parameterSet: t.prismaField({ type: 'ParameterSet', resolve: (_query, p) => p.parameterSet }),
    created: t.exposeBoolean('created', { description: 'False when a set with the same content already existed (same hash, one row).' }),
  }),
});

builder.mutationFields((t) => ({
  createParameterSet: t.field({
    type: CreateParameterSetPayload,
    authScopes: { editor: true, service: true },
    description: 'Freezes an environment version into a parameter set (editors, or a service token of that environment). Idempotent by content.',
    args: { input: t.arg({ type: CreateParameterSetInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) =>
      services.parameterSets.create(viewer!, { ...input, factors: input.factors ?? {}, codeVersion: input.codeVersion }),
  }),
}));
