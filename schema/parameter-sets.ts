import type { Prisma } from '../server/generated/prisma/client.ts';
import { diffSnapshots } from '../server/features/configuration/index.ts';
import type { CatalogDiff, KeyDiff, ParameterSetComparison } from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { EnvironmentRef } from './environments.ts';
import { ValueDiffRef } from './value-diff.ts';

// Parameter sets are read by every operator, and by the service tokens of
// each environment that froze them: a set is content, not an environment's
// state (the same values frozen from dev and from prod are one set, known to
// both), but a token reads nothing of another environment. A set it may not
// read is absent to it: null, or NOT_FOUND when compared.

builder.prismaNode('ParameterSet', {
  nullable: true,
  id: { field: 'hash' },
  findUnique: (hash, { reads, viewer }) => reads.parameterSets.nodeWhere(hash, viewer),
  description: 'An immutable, content-addressed snapshot: the values of an environment version, the catalog metadata of those parameters, the experiment factors and the code version.',
  fields: (t) => ({
    hash: t.exposeString('hash', { description: 'sha256 of the RFC 8785 canonical JSON of { values, catalog, factors, codeVersion }.' }),
    environment: t.field({
      type: EnvironmentRef,
      nullable: true,
      description: 'Where the set was first frozen (provenance, not content).',
      // null, not FORBIDDEN, for a token of another environment that froze the same content later.
      select: (_args, _ctx, nestedSelection) => ({ environment: nestedSelection(true) }),
      resolve: (set, _args, { reads, viewer }) => (set.environment && reads.config.canRead(viewer, set.environment.id) ? set.environment : null),
    }),
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
      // A service token counts and lists its own environment's runs only.
      query: (_args, { reads, viewer }) => reads.runs.ofSetQuery(viewer),
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
    // Read again with the operation's selection (the comparison holds bare rows).
    a: t.prismaField({ type: 'ParameterSet', resolve: (query, c, _args, { reads }) => reads.parameterSets.existing(query, c.from.hash) }),
    b: t.prismaField({ type: 'ParameterSet', resolve: (query, c, _args, { reads }) => reads.parameterSets.existing(query, c.to.hash) }),
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
    resolve: (query, _root, { environment }, { reads, viewer }) => reads.parameterSets.list(query, viewer, { environment }),
    totalCount: (_parent, { environment }, { reads, viewer }) => reads.parameterSets.count(viewer, { environment }),
  }, {}),
  parameterSet: t.prismaField({
    type: 'ParameterSet',
    nullable: true,
    args: { hash: t.arg.string({ required: true }) },
    resolve: (query, _root, { hash }, { reads, viewer }) => reads.parameterSets.byHash(query, viewer, hash),
  }),
  compareParameterSets: t.field({
    type: ParameterSetComparisonRef,
    description: 'Value, catalog-metadata, factor and code-version differences between two sets (NOT_FOUND for an unknown hash).',
    args: { a: t.arg.string({ required: true }), b: t.arg.string({ required: true }) },
    resolve: (_root, { a, b }, { reads, viewer }) => reads.parameterSets.compare(viewer, a, b),
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
    parameterSet: t.prismaField({ type: 'ParameterSet', resolve: (query, p, _args, { reads }) => reads.parameterSets.existing(query, p.parameterSet.hash) }),
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
