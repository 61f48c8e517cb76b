import { badRequest } from '../../errors/app-error.ts';

// An experiment's factors: the catalog parameters a run varies from the
// environment version it was frozen from, each with the variant this run
// applies. A set holds them resolved ({ name: variant }), so the run's
// effective configuration is { ...values, ...factors } and two trials of a
// sweep differ exactly in their factors (RELAXED comparability).

/** name → variant (a stored string, ADR-59). */
export type Factors = Record<string, string>;

/** One factor as the typed GraphQL input gives it. */
export interface FactorInput {
  name: string;
  variant: string;
}

// A sweep varies a handful of parameters; the cap keeps one caller from
// writing a whole configuration into the factors of an immutable row.
export const maxFactors = 100;
const maxVariantLength = 1000;

/**
 * The factors as stored, from the typed list or from a JSON object of
 * strings. Shape only (BAD_REQUEST); what each factor names and holds is
 * checked against the catalog like a save (freeze-check.ts).
 */
export function parseFactors(input: readonly FactorInput[] | unknown, field: string): Factors {
  const entries: [string, unknown][] = Array.isArray(input)
    ? input.map((f: Partial<FactorInput>) => [String(f?.name ?? ''), f?.variant])
    : typeof input === 'object' && input !== null
      ? Object.entries(input)
      : (() => { throw badRequest(`${field} must be a list of { name, variant } (or a JSON object of name → variant).`, { field }); })();
  if (entries.length > maxFactors) throw badRequest(`An experiment varies at most ${maxFactors} parameters.`, { field });
  const factors: Factors = {};
  for (const [name, variant] of entries) {
    if (name.trim() === '') throw badRequest(`Every factor of ${field} names a catalog parameter.`, { field });
    if (typeof variant !== 'string') {
      throw badRequest(`The variant of factor ${name} must be one value as a string (ADR-59: values are strings); a run applies one variant per factor.`, { field });
    }
    if (variant.length > maxVariantLength) throw badRequest(`The variant of factor ${name} is longer than ${maxVariantLength} characters.`, { field });
    if (Object.hasOwn(factors, name)) throw badRequest(`${field} names ${name} twice.`, { field });
    factors[name] = variant;
  }
  return factors;
}

/** The resolved factors of a stored set; a set frozen before issue 10 may hold free JSON, of which only string entries are factors. */
export function readFactors(stored: unknown): Factors {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
  return Object.fromEntries(Object.entries(stored).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
