import type { ParameterSet } from '../../generated/prisma/client.ts';
import { readFactors } from './experimental-factors.ts';
import { canonical, type CatalogMetadata, type JsonObject } from './parameter-set-content.ts';
import { diffCatalogs } from './parameter-set-diff.ts';

// Whether two runs' results may be compared statistically, and why (epic EC,
// "comparability rules documented for statistical analysis"). The rules are
// written down for analysts in docs/comparability.md; this is their one
// implementation.

export type Comparability = 'STRICT' | 'RELAXED' | 'FORBIDDEN';

export type ComparabilityReasonCode =
  | 'SAME_PARAMETER_SET'
  | 'FACTOR_DIFFERS'
  | 'RULES_DIFFER'
  | 'LEGACY_RUN'
  | 'CODE_VERSION_DIFFERS'
  | 'CATALOG_DEFINITION_DIFFERS'
  | 'VALUE_DIFFERS_OUTSIDE_FACTORS';

export interface ComparabilityReason {
  code: ComparabilityReasonCode;
  /** The strongest verdict this reason alone allows. */
  verdict: Comparability;
  message: string;
  parameter?: string;
  /** The catalog field, code-version key or rule concerned. */
  field?: string;
  before?: unknown;
  after?: unknown;
}

export interface ComparableRun {
  id: string;
  name: string;
  legacy: boolean;
  parameterSet: ParameterSet;
}

const rank: Record<Comparability, number> = { STRICT: 0, RELAXED: 1, FORBIDDEN: 2 };

function codeVersionReasons(a: JsonObject, b: JsonObject): ComparabilityReason[] {
  const reasons: ComparabilityReason[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const before = a[key];
    const after = b[key];
    if (canonical(before) === canonical(after)) continue;
    // Packages one by one: "xgboost 2.0.3 → 2.1.0" tells more than two maps.
    if (key === 'packages' && typeof before === 'object' && typeof after === 'object' && before && after) {
      reasons.push(...codeVersionReasons(before as JsonObject, after as JsonObject).map((r) => ({ ...r, field: `packages.${r.field}` })));
      continue;
    }
    reasons.push({
      code: 'CODE_VERSION_DIFFERS', verdict: 'FORBIDDEN', field: key, before: before ?? null, after: after ?? null,
      message: `The code differs (${key}: ${canonical(before ?? null)} → ${canonical(after ?? null)}): outputs of different code are not comparable.`,
    });
  }
  return reasons;
}

/**
 * The verdict on two runs and every reason for it:
 * - a legacy run (no pinned environment version) is FORBIDDEN with anything;
 * - the same parameter set is STRICT;
 * - otherwise RELAXED if the code version is the same, every parameter either
 *   set uses has the same catalog definition (frozen metadata and validator),
 *   and the effective values ({ ...values, ...factors }) differ only in
 *   parameters one of the sets declares as a factor; FORBIDDEN if not.
 * Rules enabled at freeze that differ are reported; they gate saves and do
 * not change what a worker computes, so they do not forbid a comparison.
 */
export function compareRunComparability(a: ComparableRun, b: ComparableRun): { verdict: Comparability; reasons: ComparabilityReason[] } {
  const reasons: ComparabilityReason[] = [];
  for (const run of [a, b]) {
    if (run.legacy) {
      reasons.push({ code: 'LEGACY_RUN', verdict: 'FORBIDDEN', message: `Run ${run.name} is a legacy run: it is not pinned to an environment version, so nothing about it can be vouched for.` });
    }
  }
  const setA = a.parameterSet;
  const setB = b.parameterSet;
  if (setA.hash === setB.hash) {
    reasons.push({ code: 'SAME_PARAMETER_SET', verdict: 'STRICT', message: `Both runs used parameter set ${setA.hash.slice(0, 12)}: the same values, factors, catalog definitions and code.` });
  } else {
    reasons.push(...codeVersionReasons(setA.codeVersion as JsonObject, setB.codeVersion as JsonObject));

    for (const d of diffCatalogs(setA.catalogSnapshot as Record<string, CatalogMetadata>, setB.catalogSnapshot as Record<string, CatalogMetadata>)) {
      reasons.push({
        code: 'CATALOG_DEFINITION_DIFFERS', verdict: 'FORBIDDEN', parameter: d.name, field: d.field, before: d.before, after: d.after,
        message: d.field === 'entry'
          ? `${d.name} is in only one of the sets: the parameters they use differ.`
          : `The catalog definition of ${d.name} differs (${d.field}): the same value may not mean the same thing.`,
      });
    }
    // Sets frozen before validators were kept know none: an unknown validator counts as a different one.
    const validatorsA = (setA.validators ?? {}) as Record<string, string>;
    const validatorsB = (setB.validators ?? {}) as Record<string, string>;
    for (const name of [...new Set([...Object.keys(validatorsA), ...Object.keys(validatorsB)])].sort()) {
      if (validatorsA[name] === validatorsB[name]) continue;
      reasons.push({
        code: 'CATALOG_DEFINITION_DIFFERS', verdict: 'FORBIDDEN', parameter: name, field: 'validator', before: validatorsA[name] ?? null, after: validatorsB[name] ?? null,
        message: `The validator of ${name} differs between the sets.`,
      });
    }

    const factorsA = readFactors(setA.factors);
    const factorsB = readFactors(setB.factors);
    const factorNames = new Set([...Object.keys(factorsA), ...Object.keys(factorsB)]);
    const effectiveA: Record<string, string> = { ...(setA.values as Record<string, string>), ...factorsA };
    const effectiveB: Record<string, string> = { ...(setB.values as Record<string, string>), ...factorsB };
    for (const name of [...new Set([...Object.keys(effectiveA), ...Object.keys(effectiveB)])].sort()) {
      const before = effectiveA[name] ?? null;
      const after = effectiveB[name] ?? null;
      if (before === after) {
        // The same effective value reached differently (a factor in one set, the version's value in the other).
        if (factorsA[name] !== factorsB[name]) {
          reasons.push({ code: 'FACTOR_DIFFERS', verdict: 'RELAXED', parameter: name, before, after, message: `${name} is ${before ?? 'unset'} in both runs, as a declared factor in only one of the sets.` });
        }
        continue;
      }
      reasons.push(factorNames.has(name)
        ? { code: 'FACTOR_DIFFERS', verdict: 'RELAXED', parameter: name, before, after, message: `${name} is a declared factor: ${before ?? 'unset'} → ${after ?? 'unset'}.` }
        : { code: 'VALUE_DIFFERS_OUTSIDE_FACTORS', verdict: 'FORBIDDEN', parameter: name, before, after, message: `${name} differs (${before ?? 'unset'} → ${after ?? 'unset'}) but neither set declares it a factor: ceteris paribus is broken.` });
    }

    const rulesA = setA.rules as Record<string, string> | null;
    const rulesB = setB.rules as Record<string, string> | null;
    if (rulesA === null || rulesB === null) {
      if (rulesA !== rulesB) reasons.push({ code: 'RULES_DIFFER', verdict: 'RELAXED', message: 'One of the sets was frozen before the platform kept the rules a set was checked against.' });
    } else {
      for (const name of [...new Set([...Object.keys(rulesA), ...Object.keys(rulesB)])].sort()) {
        if (rulesA[name] === rulesB[name]) continue;
        reasons.push({ code: 'RULES_DIFFER', verdict: 'RELAXED', field: name, before: rulesA[name] ?? null, after: rulesB[name] ?? null, message: `Rule ${name} differs between the sets (rules gate saves; they do not change what runs).` });
      }
    }
  }
  const verdict = reasons.reduce<Comparability>((worst, r) => (rank[r.verdict] > rank[worst] ? r.verdict : worst), setA.hash === setB.hash ? 'STRICT' : 'RELAXED');
  return { verdict, reasons };
}
