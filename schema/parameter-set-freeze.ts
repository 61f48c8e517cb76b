import type { FreezeResult } from '../server/features/parameter-sets/index.ts';
import { badRequest } from '../server/errors/index.ts';
import { builder } from './builder.ts';

// Freezing: the platform builds the snapshot from an environment version,
// the experiment's factors and the code version, validated like a save.

const FactorInput = builder.inputType('FactorInput', {
  description: 'One experimental factor: a catalog parameter open to experiments (not excluded_from_ftf) and the variant the run applies.',
  fields: (t) => ({
    name: t.string({ required: true }),
    variant: t.string({ required: true, description: 'As stored (ADR-59: values are strings); checked like a save.' }),
  }),
});

const PackageVersionInput = builder.inputType('PackageVersionInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'An npm or PyPI name, e.g. xgboost, @cvn/engine.' }),
    version: t.string({ required: true, description: 'A released version, e.g. 2.0.3, 2.1.0rc1, 2.1.0+cu118.' }),
  }),
});

export const CodeVersionInput = builder.inputType('CodeVersionInput', {
  fields: (t) => ({
    commit: t.string({ required: true, description: 'The full commit sha (40 or 64 lowercase hex digits).' }),
    packages: t.field({ type: [PackageVersionInput], required: false, description: 'Each package once.' }),
  }),
});

const CreateParameterSetInput = builder.inputType('CreateParameterSetInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    version: t.int({ required: false, description: 'Defaults to the active version.' }),
    experimentalFactors: t.field({ type: [FactorInput], required: false, description: 'The factors the run varies (none by default), each checked like a save.' }),
    code: t.field({ type: CodeVersionInput, required: false, description: 'Which code runs (this or codeVersion is required).' }),
    factors: t.field({
      type: 'JSON', required: false,
      description: 'The factors as a JSON object { name: variant }, checked like experimentalFactors.',
      deprecationReason: 'Use experimentalFactors.',
    }),
    codeVersion: t.field({
      type: 'JSON', required: false,
      description: 'The code version as JSON { commit, packages: { name: version } }, checked like code.',
      deprecationReason: 'Use code.',
    }),
  }),
});

const CreateParameterSetPayload = builder.objectRef<FreezeResult>('CreateParameterSetPayload').implement({
  fields: (t) => ({
    // Read again with the operation's selection (the payload holds a bare row).
    parameterSet: t.prismaField({ type: 'ParameterSet', resolve: (query, p, _args, { reads }) => reads.parameterSets.existing(query, p.parameterSet.hash) }),
    created: t.exposeBoolean('created', { description: 'False when a set with the same content already existed (same hash, one row).' }),
    version: t.prismaField({
      type: 'ConfigVersion',
      description: 'The environment version this freeze read: name it when starting a run on the set (the set\'s own frozenFrom is its first freeze).',
      resolve: async (query, p, _args, { reads }) => (await reads.config.version(query, p.frozenFrom.environmentId, p.frozenFrom.version))!,
    }),
  }),
});

function oneOf<T>(typed: T | null | undefined, json: unknown, field: string, legacyField: string): T | unknown {
  if (typed != null && json != null) throw badRequest(`Give ${field} or ${legacyField}, not both.`, { field });
  return typed ?? json;
}

builder.mutationFields((t) => ({
  createParameterSet: t.field({
    type: CreateParameterSetPayload,
    authScopes: { editor: true, service: true },
    description: 'Freezes an environment version with the experiment\'s factors and the code version into a parameter set (editors, or a service token of that environment). Refused like a save (VALIDATION_FAILED, DEPRECATED) when a value or factor would be; idempotent by content.',
    args: { input: t.arg({ type: CreateParameterSetInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => {
      const codeVersion = oneOf(input.code, input.codeVersion, 'code', 'codeVersion');
      if (codeVersion == null) throw badRequest('Name the code that runs: code { commit, packages }.', { field: 'code' });
      return services.parameterSets.create(viewer!, {
        environment: input.environment,
        version: input.version,
        factors: oneOf(input.experimentalFactors, input.factors, 'experimentalFactors', 'factors') ?? [],
        codeVersion,
      });
    },
  }),
}));
