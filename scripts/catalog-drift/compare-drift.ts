import type { DriftCatalog, DriftCatalogEntry } from './drift-catalog.ts';
import type { ParameterReference } from './parameter-reference.ts';

export interface DriftReport {
  /** Referenced in the scanned code, absent from the catalog: each place. */
  unknown: ParameterReference[];
  /** In the catalog, neither referenced nor declared consumedOutside (deprecated entries aside: retired, never deleted). */
  unconsumed: DriftCatalogEntry[];
  /** Referenced, but deprecated in the catalog: reported, not failing (the replacement pointer tells what to read). */
  deprecated: ParameterReference[];
  /** How many catalog entries the scanned code references, and how many are declared read elsewhere. */
  consumedHere: number;
  consumedOutside: number;
}

/** Both directions of the Need's second risk: code without catalog, catalog without code. */
export function compareDrift(catalog: DriftCatalog, references: readonly ParameterReference[]): DriftReport {
  const byName = new Map(catalog.entries.map((e) => [e.name, e]));
  const referenced = new Set(references.map((r) => r.name));
  const unknown = references.filter((r) => !byName.has(r.name));
  const deprecated = references.filter((r) => byName.get(r.name)?.deprecated);
  const unconsumed = catalog.entries.filter((e) => !e.deprecated && e.consumedOutside === null && !referenced.has(e.name));
  return {
    unknown,
    unconsumed,
    deprecated,
    consumedHere: catalog.entries.filter((e) => referenced.has(e.name)).length,
    consumedOutside: catalog.entries.filter((e) => e.consumedOutside !== null).length,
  };
}

export const driftFails = (report: DriftReport) => report.unknown.length > 0 || report.unconsumed.length > 0;
