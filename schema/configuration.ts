import { resumeAfter } from '../server/realtime/resume-after.ts';
import type { Prisma } from '../server/generated/prisma/client.ts';
import { assertEnvironmentReadable, canReadEnvironment } from '../server/auth/environment-access.ts';
import { notFound } from '../server/errors/app-error.ts';
import type { WriteOutcome } from '../server/features/configuration/config-writer.ts';
import { lockEnvironment } from '../server/features/configuration/lock-environment.ts';
import { readSnapshot } from '../server/features/configuration/read-snapshot.ts';
import { readVersionEvents } from '../server/realtime/listen-bridge.ts';
import type { ConfigChangedEvent } from '../server/realtime/pubsub.ts';
import { parseValue } from '../contract/validation/index.ts';
import { toCatalogEntryShape } from '../server/features/catalog/catalog-snapshot.ts';
import type { CatalogEntry } from '../server/generated/prisma/client.ts';
import { builder } from './builder.ts';
import { uuidWhere } from './uuid-where.ts';
import { CatalogEntryRef } from './catalog.ts';
import { VersionKindEnum } from './enums.ts';
import { diffSnapshots, ValueDiffRef } from './violations.ts';

// ------------------------------------------------------------------ types

interface ParameterValue {
  name: string;
  value: string | null;
  entry: CatalogEntry | undefined;
}

const ParameterValueRef = builder.objectRef<ParameterValue>('ParameterValue').implement({
  description: 'The active value of one parameter in one environment, typed by its catalog entry.',
  fields: (t) => ({
    name: t.exposeString('name'),
    value: t.exposeString('value', { nullable: true, description: 'As stored (ADR-59: values are strings). Null when the environment has no value yet.' }),
    typed: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value as its catalog type: number, boolean or string. Null when missing or not valid for today\'s catalog.',
      resolve: ({ value, entry }) => {
        if (value === null || !entry) return null;
        const parsed = parseValue(toCatalogEntryShape(entry), value);
        return parsed.ok ? parsed.value : null;
      },
    }),
    entry: t.field({ type: CatalogEntryRef, nullable: true, resolve: (v) => v.entry }),
  }),
});

builder.prismaNode('Environment', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  authScopes: (env, { viewer }) => canReadEnvironment(viewer, env.id),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    activeVersion: t.exposeInt('activeVersion'),
    activeConfig: t.prismaField({
      type: 'ConfigVersion',
      nullable: true,
      select: { id: true, activeVersion: true },
      resolve: (query, env, _args, { services }) =>
        services.prisma.configVersion.findUnique({ ...query, where: { environmentId_version: { environmentId: env.id, version: env.activeVersion } } }),
    }),
    values: t.field({
      type: [ParameterValueRef],
      args: {
        names: t.arg.stringList({ required: false, description: 'Only these parameters.' }),
        group: t.arg.string({ required: false }),
      },
      select: { id: true, activeVersion: true },
      resolve: async (env, { names, group }, { services }) => {
        const [values, catalog] = await Promise.all([
          readSnapshot(services.prisma, env),
          services.catalogCache.load(services.prisma),
        ]);
        // Every catalog entry appears (a missing value shows as null), plus any
        // stored value whose entry no longer exists.
        const all = new Set([...catalog.entries.keys(), ...Object.keys(values)]);
        let selected = names ? names.filter((name) => all.has(name)) : [...all];
        if (group) selected = selected.filter((name) => catalog.entries.get(name)?.groupName === group);
        return selected.sort().map((name) => ({ name, value: values[name] ?? null, entry: catalog.entries.get(name) }));
      },
    }),
    version: t.prismaField({
      type: 'ConfigVersion',
      nullable: true,
      args: { number: t.arg.int({ required: true }) },
      select: { id: true },
      resolve: (query, env, { number }, { services }) =>
        services.prisma.configVersion.findUnique({ ...query, where: { environmentId_version: { environmentId: env.id, version: number } } }),
    }),
    versions: t.relatedConnection('versions', {
      cursor: 'id',
      args: {
        parameter: t.arg.string({ required: false, description: 'Only versions that changed this parameter.' }),
        author: t.arg.string({ required: false, description: 'Only versions written by this user name.' }),
        since: t.arg({ type: 'DateTime', required: false }),
        until: t.arg({ type: 'DateTime', required: false }),
      },
      query: ({ parameter, author, since, until }) => {
        const where: Prisma.ConfigVersionWhereInput = {
          ...(parameter ? { changes: { some: { parameterName: parameter } } } : {}),
          ...(author ? { author: { username: author } } : {}),
          ...(since || until ? { createdAt: { ...(since ? { gte: since } : {}), ...(until ? { lte: until } : {}) } } : {}),
        };
        return { where, orderBy: { version: 'desc' } };
      },
      totalCount: true,
    }),
  }),
});

builder.prismaNode('ConfigVersion', {
  nullable: true,
  id: { resolve: (v) => String(v.id) },
  findUnique: (id) => ({ id: /^\d{1,18}$/.test(id) ? BigInt(id) : -1n }),
  authScopes: (version, { viewer }) => canReadEnvironment(viewer, version.environmentId),
  fields: (t) => ({
    environment: t.relation('environment'),
    version: t.exposeInt('version'),
    kind: t.expose('kind', { type: VersionKindEnum }),
    reason: t.exposeString('reason'),
    author: t.relation('author'),
    approver: t.relation('approver', { nullable: true }),
    changeRequest: t.relation('changeRequest', { nullable: true }),
    restoredFrom: t.exposeInt('restoredFrom', { nullable: true }),
    promotedFrom: t.exposeString('promotedFrom', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    values: t.field({ type: 'JSON', description: 'The full snapshot: { name: value }.', select: { values: true }, resolve: (v) => v.values }),
    changes: t.relation('changes', { query: { orderBy: { parameterName: 'asc' } } }),
    diffAgainst: t.field({
      type: [ValueDiffRef],
      description: 'What changed from version `other` of the same environment to this one.',
      args: { other: t.arg.int({ required: true }) },
      select: { values: true, environmentId: true },
      resolve: async (v, { other }, { services }) => {
        const otherValues = await readSnapshot(services.prisma, { id: v.environmentId, activeVersion: other });
        return diffSnapshots(otherValues, v.values as Record<string, string>);
      },
    }),
  }),
});

builder.prismaObject('ConfigChange', {
  fields: (t) => ({
    name: t.exposeString('parameterName'),
    before: t.exposeString('before', { nullable: true }),
    after: t.exposeString('after', { nullable: true }),
    parameter: t.relation('parameter'),
  }),
});

// ------------------------------------------------------------------ queries

builder.queryFields((t) => ({
  environments: t.prismaField({
    type: ['Environment'],
    resolve: (query, _root, _args, { services, viewer }) =>
      services.prisma.environment.findMany({
        ...query,
        where: viewer?.kind === 'service' ? { id: viewer.environmentId } : {},
        orderBy: { createdAt: 'asc' },
      }),
  }),
  environment: t.prismaField({
    type: 'Environment',
    args: { name: t.arg.string({ required: true }) },
    resolve: async (query, _root, { name }, { services, viewer }) => {
      const env = await services.prisma.environment.findUnique({ ...query, where: { name } });
      if (!env) throw notFound('Environment', name);
      assertEnvironmentReadable(viewer, env.id, name);
      return env;
    },
  }),
}));

// ------------------------------------------------------------------ mutations

const WriteOutcomeEnum = builder.enumType('WriteOutcome', {
  values: { APPLIED: { description: 'A new version is active.' }, PENDING_APPROVAL: { description: 'A critical change waits for a second person.' } },
});

const ConfigWritePayload = builder.objectRef<WriteOutcome>('ConfigWritePayload').implement({
  fields: (t) => ({
    outcome: t.field({ type: WriteOutcomeEnum, resolve: (o) => o.status }),
    version: t.prismaField({ type: 'ConfigVersion', nullable: true, resolve: (_q, o) => (o.status === 'APPLIED' ? o.version : null) }),
    changeRequest: t.prismaField({ type: 'ChangeRequest', nullable: true, resolve: (_q, o) => (o.status === 'PENDING_APPROVAL' ? o.changeRequest : null) }),
  }),
});

export const ParameterValueInput = builder.inputType('ParameterValueInput', {
  fields: (t) => ({ name: t.string({ required: true }), value: t.string({ required: true }) }),
});

const commonWriteFields = {
  expectedVersion: 'The active version you read; a stale one gets VERSION_CONFLICT with the current version.',
  reason: 'Why (required, shown in the audit trail).',
  submitForApproval: 'When a critical parameter is touched: true submits a change request, false (default) fails with APPROVAL_REQUIRED.',
};

const UpdateConfigInput = builder.inputType('UpdateConfigInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    expectedVersion: t.int({ required: true, description: commonWriteFields.expectedVersion }),
    reason: t.string({ required: true, description: commonWriteFields.reason }),
    changes: t.field({ type: [ParameterValueInput], required: true }),
    submitForApproval: t.boolean({ required: false, description: commonWriteFields.submitForApproval }),
  }),
});

const RestoreConfigInput = builder.inputType('RestoreConfigInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    version: t.int({ required: true, description: 'The earlier version whose values become active again (as a new version).' }),
    expectedVersion: t.int({ required: true, description: commonWriteFields.expectedVersion }),
    reason: t.string({ required: true, description: commonWriteFields.reason }),
    submitForApproval: t.boolean({ required: false, description: commonWriteFields.submitForApproval }),
  }),
});

const PromoteConfigInput = builder.inputType('PromoteConfigInput', {
  fields: (t) => ({
    from: t.string({ required: true }),
    to: t.string({ required: true }),
    names: t.stringList({ required: true }),
    expectedVersion: t.int({ required: true, description: 'The active version of the target environment you read.' }),
    reason: t.string({ required: true, description: commonWriteFields.reason }),
    submitForApproval: t.boolean({ required: false, description: commonWriteFields.submitForApproval }),
  }),
});

builder.mutationFields((t) => ({
  updateConfig: t.field({
    type: ConfigWritePayload,
    authScopes: { editor: true },
    description: 'Changes any number of parameters of one environment atomically, as one new version.',
    args: { input: t.arg({ type: UpdateConfigInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.config.update(viewer!, input),
  }),
  restoreConfigVersion: t.field({
    type: ConfigWritePayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: RestoreConfigInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.config.restore(viewer!, input),
  }),
  promoteConfig: t.field({
    type: ConfigWritePayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: PromoteConfigInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.config.promote(viewer!, input),
  }),
}));

// ------------------------------------------------------------------ subscription

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
    subscribe: async (_root, { environment, afterVersion }, { services, viewer }) => {
      const env = await lockEnvironment(services.prisma, environment, { forUpdate: false });
      assertEnvironmentReadable(viewer, env.id, environment);
      const live = services.pubsub.subscribe('configChanged', environment);
      if (afterVersion == null) return live;
      return resumeAfter(live, afterVersion, () => readVersionEvents(services.prisma, environment, afterVersion));
    },
    resolve: (event) => event,
  }));
