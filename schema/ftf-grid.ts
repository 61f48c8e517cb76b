import type { FtfGrid, FtfGridFactor, FtfParticipation, FtfSweep } from '../server/features/parameter-sets/index.ts';
import { builder } from './builder.ts';
import { ParameterTypeEnum } from './enums.ts';
import { ViolationRef } from './violations.ts';

// The FTF experiment grid (issue 12): each factor's variants as the catalog
// and the environment's values define them today; the logic is the
// parameter-sets slice's read model (ftf-grid.ts), shared with freezing.

const FtfSweepKindEnum = builder.enumType('FtfSweepKind', {
  values: {
    VALUES: { description: 'ENUM and BOOL: the variants listed, each one freezes.' },
    RANGE: { description: 'INT and FLOAT: any value of the interval (and of its validator, when there is one).' },
    OPEN: { description: 'STRING: any value the parameter accepts (its length and validator).' },
  } as const,
});
const RangeScaleEnum = builder.enumType('FtfRangeScale', { values: ['LINEAR', 'LOG'] as const });
const RangeSourceEnum = builder.enumType('FtfRangeSource', {
  values: {
    RANGE_TRIPLE: { description: "The environment's <name>_RANGE_MIN / _RANGE_MAX / _RANGE_SCALE values (S17), clipped to the bounds." },
    BOUNDS: { description: "The catalog entry's bounds (no range triple)." },
  } as const,
});

type Range = Extract<FtfSweep, { kind: 'RANGE' }>;
const SearchSpaceRef = builder.objectRef<Range>('FtfSearchSpace').implement({
  description: 'The interval a numeric factor is sampled from (inclusive).',
  fields: (t) => ({
    min: t.exposeFloat('min', { nullable: true, description: 'Null: unbounded below.' }),
    max: t.exposeFloat('max', { nullable: true, description: 'Null: unbounded above.' }),
    scale: t.field({ type: RangeScaleEnum, resolve: (r) => (r.scale === 'log' ? 'LOG' : 'LINEAR') }),
    integer: t.exposeBoolean('integer', { description: 'True for INT: only whole numbers freeze.' }),
    source: t.field({ type: RangeSourceEnum, resolve: (r) => r.source }),
  }),
});

const FtfFactorRef = builder.objectRef<FtfGridFactor>('FtfFactor').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.field({ type: ParameterTypeEnum, resolve: (f) => f.type }),
    baseValue: t.exposeString('baseValue', { nullable: true, description: "The environment's value (what a run without this factor applies)." }),
    kind: t.field({ type: FtfSweepKindEnum, resolve: (f) => f.sweep.kind }),
    variants: t.stringList({ description: 'VALUES: every variant freezing accepts, in catalog order; empty for RANGE and OPEN.', resolve: (f) => (f.sweep.kind === 'VALUES' ? f.sweep.variants : []) }),
    searchSpace: t.field({ type: SearchSpaceRef, nullable: true, description: 'RANGE only.', resolve: (f) => (f.sweep.kind === 'RANGE' ? f.sweep : null) }),
    validator: t.exposeString('validator', { nullable: true, description: 'The CEL validator a RANGE or OPEN variant must also satisfy (VALUES are already filtered by it).' }),
  }),
});

const FtfGridRef = builder.objectRef<FtfGrid>('FtfGrid').implement({
  fields: (t) => ({
    environment: t.exposeString('environment'),
    version: t.exposeInt('version', { description: 'The environment version the grid was computed on: freeze this version.' }),
    catalogVersion: t.exposeInt('catalogVersion'),
    factors: t.field({ type: [FtfFactorRef], resolve: (g) => g.factors }),
  }),
});

const FtfParticipationRef = builder.objectRef<FtfParticipation>('FtfParticipation').implement({
  description: 'Whether and how one parameter takes part in sweeps.',
  fields: (t) => ({
    name: t.exposeString('name'),
    factor: t.field({ type: FtfFactorRef, nullable: true, description: 'Its grid; null when it cannot be a factor.', resolve: (p) => p.factor }),
    refusals: t.field({ type: [ViolationRef], description: 'Why it cannot be a factor (excluded_from_ftf, deprecated, unknown, an unreadable search range), with the freeze\'s codes.', resolve: (p) => p.refusals }),
  }),
});

builder.queryFields((t) => ({
  ftfParticipation: t.field({
    type: [FtfParticipationRef],
    description: 'For each parameter (at most 100), whether and how it takes part in sweeps in an environment: its grid, or why it cannot be a factor. Never refuses a name (the catalog admin page lists it).',
    args: {
      environment: t.arg.string({ required: true }),
      parameters: t.arg.stringList({ required: true }),
    },
    resolve: (_root, { environment, parameters }, { reads, viewer }) => reads.ftfGrid.participation(viewer, { environment, factors: parameters, field: 'Query.ftfParticipation(parameters)' }),
  }),
  ftfGrid: t.field({
    type: FtfGridRef,
    description: 'The experiment grid of these factors (at most 100) in an environment: the variants freezing accepts for each, from the catalog at this moment. A factor that is unknown, deprecated or excluded_from_ftf refuses the grid (VALIDATION_FAILED / DEPRECATED, one violation each). Also GET /api/ftf-grid.',
    args: {
      environment: t.arg.string({ required: true }),
      factors: t.arg.stringList({ required: true }),
    },
    resolve: (_root, { environment, factors }, { reads, viewer }) => reads.ftfGrid.grid(viewer, { environment, factors, field: 'Query.ftfGrid(factors)' }),
  }),
}));
