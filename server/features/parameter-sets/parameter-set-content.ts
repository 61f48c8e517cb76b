import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { ValueMap } from '../configuration/index.ts';

// A parameter set's content and its identity: the sha256 of its RFC 8785
// canonical JSON, so the same configuration is the same set wherever and
// by whomever it was frozen.

export type JsonObject = Record<string, unknown>;

/**
 * The catalog fields a set freezes with each parameter: everything that
 * changes what a value means or how a worker treats it. Descriptions, groups
 * and units are documentation: editing them must not make "the same
 * configuration" hash differently.
 */
export const catalogMetadataFields = [
  'type', 'allowedValues', 'minValue', 'maxValue', 'defaultValue', 'hotReloadable', 'category', 'critical', 'deprecated',
] as const;

export type CatalogMetadataField = (typeof catalogMetadataFields)[number];
export type CatalogMetadata = Pick<CatalogEntry, CatalogMetadataField>;

/**
 * What a set's hash covers. Environment and version are provenance, not
 * content. `rules` ({ name: expression } of the enabled rules) and
 * `validators` ({ parameter: expression }) are what the set was checked
 * against; sets frozen before they were kept have neither, and canonical JSON
 * leaves an absent key out, so their hashes recompute unchanged.
 */
export interface ParameterSetContent {
  values: ValueMap;
  catalog: Record<string, CatalogMetadata>;
  factors: JsonObject;
  codeVersion: JsonObject;
  rules?: Record<string, string> | null;
  validators?: Record<string, string> | null;
}

const hashPattern = /^[0-9a-f]{64}$/;

/** RFC 8785 (JCS) text: key order and number formatting fixed, so equal content is equal bytes. */
export function canonical(value: unknown): string {
  return canonicalize(value) ?? 'null';
}

/** sha256 hex of the canonical JSON of the content: the set's identity. */
export function parameterSetHash({ values, catalog, factors, codeVersion, rules, validators }: ParameterSetContent): string {
  // null (a stored set without them) and absent hash alike.
  const content = { values, catalog, factors, codeVersion, rules: rules ?? undefined, validators: validators ?? undefined };
  return createHash('sha256').update(canonical(content)).digest('hex');
}

export function catalogMetadata(entry: CatalogEntry): CatalogMetadata {
  return Object.fromEntries(catalogMetadataFields.map((field) => [field, entry[field]])) as CatalogMetadata;
}

export function isParameterSetHash(hash: string): boolean {
  return hashPattern.test(hash);
}
