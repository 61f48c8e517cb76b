import { diffSnapshots } from '../server/features/configuration/index.ts';
import {
  readCodeVersion, readFactors, type CatalogDiff, type CodeVersion, type KeyDiff, type ParameterSetComparison,
  type ParameterSetValue, type ParameterSetValueGroup,
} from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { ConfigVersionRef } from './config-versions.ts';
import { EnvironmentRef } from './environments.ts';
import { ValueDiffRef } from './value-diff.ts';

// Parameter sets are read by every operator, and by the service tokens of
// each environment that froze them: a set is content, not an environment's
// state (the same values frozen from dev and from prod are one set, known to
// both), but a token reads nothing of another environment. A set it may not
// read is absent to it: null, or NOT_FOUND when compared.

const ParameterSetFactorRef = builder.objectRef<{ name: string; variant: string; baseValue: string | null }>('ParameterSetFactor').implement({
  description: 'One experimental factor: a catalog parameter the run varies, with the variant it applies over the frozen value.',
  fields: (t) => ({
    name: t.exposeString('name'),
    variant: t.exposeString('variant'),
    baseValue: t.exposeString('baseValue', { nullable: true, description: 'The value of the environment version the set was frozen from.' }),
  }),
});

const PackageVersionRef = builder.objectRef<{ name: string; version: string }>('PackageVersion').implement({
  fields: (t) => ({ name: t.exposeString('name'), version: t.exposeString('version') }),
});

const CodeVersionRef = builder.objectRef<CodeVersion>('CodeVersion').implement({
  description: 'Which code ran: the commit and the versions of the packages that matter.',
  fields: (t) => ({
    commit: t.exposeString('commit', { description: 'A full commit sha (40 or 64 hex digits).' }),
    packages: t.field({
      type: [PackageVersionRef],
      description: 'Sorted by name.',
      resolve: (c) => Object.entries(c.packages).sort(([a], [b]) => a.localeCompare(b)).map(([name, version]) => ({ name, version })),
    }),
  }),
});

const ParameterSetValueRef = builder.objectRef<ParameterSetValue>('ParameterSetValue').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value', { nullable: true, description: 'The frozen value of the environment version (null when only a factor sets it).' }),
    variant: t.exposeString('variant', { nullable: true, description: 'The factor\'s variant when the parameter is an experimental factor.' }),
    effective: t.exposeString('effective', { nullable: true, description: 'What the run applies: the variant, else the value.' }),
    frozen: t.field({ type: 'JSON', nullable: true, description: 'The catalog metadata frozen with the set.', resolve: (v) => v.frozen }),
  }),
});

const ParameterSetValueGroupRef = builder.objectRef<ParameterSetValueGroup>('ParameterSetValueGroup').implement({
  description: 'A display group of the catalog (as it is today) and the set\'s parameters in it.',
  fields: (t) => ({
    name: t.exposeString('name'),
    values: t.field({ type: [ParameterSetValueRef], resolve: (g) => g.values }),
  }),
});

export const ParameterSetRef = builder.prismaNode('ParameterSet', {
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
    configVersion: t.exposeInt('configVersion', { nullable: true, description: 'The number of the environment version it was first frozen from (provenance); the version itself is frozenFrom.' }),
    frozenFrom: t.field({
      type: ConfigVersionRef,
      nullable: true,
      description: 'The environment version it was first frozen from: who changed what and why. A run names its own (Run.configVersion).',
      // null, like environment, for a token of another environment that froze the same content later.
      select: (_args, _ctx, nestedSelection) => ({ frozenFrom: nestedSelection(true) }),
      resolve: (set, _args, { reads, viewer }) => (set.frozenFrom && reads.config.canRead(viewer, set.frozenFrom.environmentId) ? set.frozenFrom : null),
    }),
    catalogVersion: t.int({ description: 'The catalog revision at first freeze (provenance).', resolve: (set) => Number(set.catalogVersion) }),
    values: t.expose('values', { type: 'JSON', description: '{ name: value } for every parameter.' }),
    catalogSnapshot: t.expose('catalogSnapshot', { type: 'JSON', description: '{ name: { type, allowedValues, minValue, maxValue, defaultValue, hotReloadable, category, critical, deprecated } }.' }),
    factors: t.expose('factors', { type: 'JSON', description: 'The resolved experimental factors, { name: variant } (free JSON for sets frozen before issue 10).' }),
    experimentalFactors: t.field({
      type: [ParameterSetFactorRef],
      description: 'The factors, typed and sorted by name.',
      select: { factors: true, values: true },
      resolve: (set) => {
        const values = set.values as Record<string, string>;
        return Object.entries(readFactors(set.factors)).sort(([a], [b]) => a.localeCompare(b))
          .map(([name, variant]) => ({ name, variant, baseValue: values[name] ?? null }));
      },
    }),
    codeVersion: t.expose('codeVersion', { type: 'JSON', description: '{ commit, packages: { name: version } } (free JSON for sets frozen before issue 10).' }),
    code: t.field({
      type: CodeVersionRef,
      nullable: true,
      description: 'The code version, typed; null for a set frozen with a free-form one.',
      select: { codeVersion: true },
      resolve: (set) => readCodeVersion(set.codeVersion),
    }),
    rules: t.field({
      type: 'JSON', nullable: true, select: { rules: true },
      description: '{ name: expression } of the rules enabled at freeze (null for sets frozen before they were kept).',
      resolve: (set) => set.rules,
    }),
    validators: t.field({
      type: 'JSON', nullable: true, select: { validators: true },
      description: '{ parameter: expression } of the validators of the set\'s parameters at freeze (null for sets frozen before they were kept).',
      resolve: (set) => set.validators,
    }),
    valueGroups: t.field({
      type: [ParameterSetValueGroupRef],
      description: 'Every parameter (values and factors) by the catalog\'s display groups; groups and names sorted.',
      select: { values: true, factors: true, catalogSnapshot: true },
      resolve: (set, _args, { reads }) => reads.parameterSets.valueGroups(set),
    }),
    createdBy: t.relation('createdBy', { nullable: true, description: 'The operator who froze it; null when a service token did (the audit trail names the token).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    entries: t.relation('entries', { query: { orderBy: { parameterName: 'asc' } } }),
    runs: t.relatedConnection('runs', {
      cursor: 'id',
      description: 'Every run bound to this set that the caller may read (a service token: its environment\'s), newest first.',
      query: (_args, { reads, viewer }) => reads.runs.relatedQuery(viewer),
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

export const ParameterSetComparisonRef = builder.objectRef<ParameterSetComparison>('ParameterSetComparison').implement({
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
