import type { ConfigValidator, Violation } from '../../../contract/validation/index.ts';
import type { CatalogEntry } from '../../generated/prisma/client.ts';
import { badRequest, limitExceeded } from '../../errors/app-error.ts';
import type { CatalogSnapshot } from '../catalog/index.ts';
import { violationsError, type ValueMap } from '../configuration/index.ts';
import { maxFactors } from './experimental-factors.ts';
import { factorNameViolation, factorVariantViolations, searchSpace, type SearchSpace } from './factor-variant.ts';

// The fine-tuning framework's experiment grid (issue 12), read from the
// catalog at run time instead of lists inline in Python: for each factor,
// the variants freezing accepts for it (factor-variant.ts), so widening or
// narrowing a sweep is a catalog edit, not a release.

/** How a factor takes part in a sweep. */
export type FtfSweep =
  /** ENUM and BOOL: every variant that freezes, in catalog order. */
  | { kind: 'VALUES'; variants: string[] }
  /** INT and FLOAT: any value of the interval (and of the validator, when there is one). */
  | ({ kind: 'RANGE' } & SearchSpace)
  /** STRING: any value the parameter accepts (its length and validator). */
  | { kind: 'OPEN' };

export interface FtfGridFactor {
  name: string;
  type: CatalogEntry['type'];
  /** The environment's value, which a run without this factor applies. */
  baseValue: string | null;
  sweep: FtfSweep;
  /** The validator a RANGE or OPEN variant must also satisfy (VALUES are already filtered by it). */
  validator: string | null;
}

export interface FtfGridInput {
  catalog: CatalogSnapshot;
  /** The environment version the sweep freezes from. */
  values: ValueMap;
  factors: readonly string[];
}

// A catalog name is far shorter; the cap keeps refusals from echoing a payload.
const maxNameLength = 200;

/** The factor names as asked: at most maxFactors, each once (LIMIT_EXCEEDED, BAD_REQUEST). */
export function parseGridFactors(names: readonly string[], field: string): string[] {
  if (names.length > maxFactors) {
    throw limitExceeded(`A grid has at most ${maxFactors} factors, as an experiment varies at most ${maxFactors} parameters.`, { limit: 'listLength', max: maxFactors, found: names.length, field });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (name.trim() === '' || name.length > maxNameLength) throw badRequest(`Every factor of ${field} names a catalog parameter.`, { field });
    if (seen.has(name)) throw badRequest(`${field} names ${name} twice.`, { field });
    seen.add(name);
  }
  return [...seen];
}

function sweepOf(validator: ConfigValidator, { catalog, values }: FtfGridInput, entry: CatalogEntry): FtfSweep | Violation[] {
  const accepted = (variant: string) => factorVariantViolations(validator, catalog, values, entry.name, variant).length === 0;
  switch (entry.type) {
    case 'ENUM': return { kind: 'VALUES', variants: entry.allowedValues.filter(accepted) };
    case 'BOOL': return { kind: 'VALUES', variants: ['true', 'false'].filter(accepted) };
    case 'STRING': return { kind: 'OPEN' };
    default: {
      const space = searchSpace(validator, catalog, values, entry);
      return Array.isArray(space) ? space : { kind: 'RANGE', ...space };
    }
  }
}

/** Whether and how one parameter takes part in sweeps: its grid, or why it cannot be a factor. */
export type FtfParticipation = { name: string; factor: FtfGridFactor; refusals: [] } | { name: string; factor: null; refusals: Violation[] };

/**
 * Each parameter's part in sweeps on top of `values`, in the order asked:
 * its grid, or the freeze's refusals of it as a factor (unknown, deprecated,
 * excluded_from_ftf, a search range that cannot be read). The catalog admin
 * page shows this for every parameter it lists.
 */
export function ftfParticipation(validator: ConfigValidator, input: FtfGridInput): FtfParticipation[] {
  return input.factors.map((name): FtfParticipation => {
    const refused = factorNameViolation(input.catalog, name);
    if (refused) return { name, factor: null, refusals: [refused] };
    const entry = input.catalog.entries.get(name)!;
    const sweep = sweepOf(validator, input, entry);
    if (Array.isArray(sweep)) return { name, factor: null, refusals: sweep };
    const constraint = entry.validator && entry.validator.trim() !== '' && sweep.kind !== 'VALUES' ? entry.validator : null;
    return { name, factor: { name, type: entry.type, baseValue: input.values[name] ?? null, sweep, validator: constraint }, refusals: [] };
  });
}

/**
 * The grid of these factors: each one's participation, or, when any cannot
 * be a factor, the refusal of the whole grid with the freeze's codes
 * (VALIDATION_FAILED or DEPRECATED, one violation each), as a sweep with
 * that factor would be refused.
 */
export function ftfGrid(validator: ConfigValidator, input: FtfGridInput): FtfGridFactor[] {
  const participation = ftfParticipation(validator, input);
  const refusals = participation.flatMap((p) => p.refusals);
  if (refusals.length) throw violationsError(refusals);
  return participation.map((p) => p.factor!);
}
