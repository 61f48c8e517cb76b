import type { ParameterSet } from '../../generated/prisma/client.ts';
import { canonical, catalogMetadataFields, type CatalogMetadata, type CatalogMetadataField, type JsonObject } from './parameter-set-content.ts';

/** One catalog field of one parameter that differs between two sets; field 'entry' when one side lacks the parameter. */
export interface CatalogDiff {
  name: string;
  field: CatalogMetadataField | 'entry';
  before: unknown;
  after: unknown;
}

/** One top-level key of factors or codeVersion that differs between two sets. */
export interface KeyDiff {
  key: string;
  before: unknown;
  after: unknown;
}

export interface ParameterSetComparison {
  from: ParameterSet;
  to: ParameterSet;
  catalog: CatalogDiff[];
  factors: KeyDiff[];
  codeVersion: KeyDiff[];
}

function diffKeys(before: JsonObject, after: JsonObject): KeyDiff[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    .filter((key) => canonical(before[key]) !== canonical(after[key]))
    .map((key) => ({ key, before: before[key] ?? null, after: after[key] ?? null }));
}

/** Field-by-field differences of the frozen catalog metadata, sorted by parameter name. */
export function diffCatalogs(before: Record<string, CatalogMetadata>, after: Record<string, CatalogMetadata>): CatalogDiff[] {
  const diffs: CatalogDiff[] = [];
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = before[name];
    const b = after[name];
    if (!a || !b) {
      diffs.push({ name, field: 'entry', before: a ?? null, after: b ?? null });
      continue;
    }
    for (const field of catalogMetadataFields) {
      if (canonical(a[field]) !== canonical(b[field])) diffs.push({ name, field, before: a[field], after: b[field] });
    }
  }
  return diffs;
}

/** What changed from set `from` to set `to` (values are diffed by the schema's ValueDiff helper). */
export function compareParameterSets(from: ParameterSet, to: ParameterSet): ParameterSetComparison {
  return {
    from,
    to,
    catalog: diffCatalogs(from.catalogSnapshot as Record<string, CatalogMetadata>, to.catalogSnapshot as Record<string, CatalogMetadata>),
    factors: diffKeys(from.factors as JsonObject, to.factors as JsonObject),
    codeVersion: diffKeys(from.codeVersion as JsonObject, to.codeVersion as JsonObject),
  };
}
