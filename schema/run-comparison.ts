import type { ComparabilityReason, ComparabilityReasonCode, RunComparison } from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { ParameterSetComparisonRef } from './parameter-sets.ts';

// Run-to-run comparison: the server's verdict with its reasons (the rules:
// docs/comparability.md) and the parameter-set diff behind it.

const ComparabilityEnum = builder.enumType('Comparability', {
  description: 'STRICT: the same parameter set. RELAXED: same code and catalog definitions, values differing only in declared factors. FORBIDDEN: anything else, or a legacy run.',
  values: ['STRICT', 'RELAXED', 'FORBIDDEN'] as const,
});

const ComparabilityReasonCodeEnum = builder.enumType('ComparabilityReasonCode', {
  values: [
    'SAME_PARAMETER_SET', 'FACTOR_DIFFERS', 'RULES_DIFFER', 'LEGACY_RUN', 'CODE_VERSION_DIFFERS', 'CATALOG_DEFINITION_DIFFERS', 'VALUE_DIFFERS_OUTSIDE_FACTORS',
  ] as const satisfies readonly ComparabilityReasonCode[],
});

const ComparabilityReasonRef = builder.objectRef<ComparabilityReason>('ComparabilityReason').implement({
  fields: (t) => ({
    code: t.field({ type: ComparabilityReasonCodeEnum, resolve: (r) => r.code }),
    verdict: t.field({ type: ComparabilityEnum, description: 'The strongest verdict this reason alone allows.', resolve: (r) => r.verdict }),
    message: t.exposeString('message'),
    parameter: t.exposeString('parameter', { nullable: true }),
    field: t.exposeString('field', { nullable: true, description: 'The catalog field, code-version key (packages.<name>) or rule concerned.' }),
    before: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.before }),
    after: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.after }),
  }),
});

const RunComparisonRef = builder.objectRef<RunComparison>('RunComparison').implement({
  description: 'Whether two runs may be compared statistically, why, and what differs between their sets.',
  fields: (t) => ({
    a: t.prismaField({ type: 'Run', resolve: (_query, c) => c.a }),
    b: t.prismaField({ type: 'Run', resolve: (_query, c) => c.b }),
    verdict: t.field({ type: ComparabilityEnum, resolve: (c) => c.verdict }),
    reasons: t.field({ type: [ComparabilityReasonRef], resolve: (c) => c.reasons }),
    parameterSets: t.field({ type: ParameterSetComparisonRef, description: 'Values, catalog metadata, factors and code version, set a → set b.', resolve: (c) => c.parameterSets }),
  }),
});

builder.queryField('compareRuns', (t) =>
  t.field({
    type: RunComparisonRef,
    description: 'The comparability of two runs with its reasons, and their parameter-set diff (NOT_FOUND for an unknown run).',
    args: { a: t.arg.id({ required: true }), b: t.arg.id({ required: true }) },
    resolve: (_root, { a, b }, { reads, viewer }) => reads.runs.compare(viewer, localId(a, 'Run'), localId(b, 'Run')),
  }));

builder.prismaObjectField('Run', 'comparisonWith', (t) =>
  t.field({
    type: RunComparisonRef,
    description: 'This run (a) against another (b): compareRuns from the run\'s page.',
    args: { run: t.arg.id({ required: true }) },
    select: { id: true },
    resolve: (run, args, { reads, viewer }) => reads.runs.compare(viewer, run.id, localId(args.run, 'Run')),
  }));
