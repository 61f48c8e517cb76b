import type { ParameterCategory, ParameterType } from '../../generated/prisma/enums.ts';
import type { CatalogEntryDefinition, CatalogEntryFields } from './catalog-entry-definition.ts';

/** What a create starts from: every optional field at its default. */
export const definitionDefaults: Omit<CatalogEntryDefinition, 'type' | 'description' | 'group' | 'category'> = {
  allowedValues: [],
  minValue: null,
  maxValue: null,
  defaultValue: null,
  unit: null,
  required: true,
  hotReloadable: false,
  critical: false,
  excludedFromFtf: false,
  validator: null,
  deprecatedValues: [],
  maxLength: null,
  consumedOutside: null,
};

/** A definition being written, with its name: type and category may still be missing (the console's partial forms). */
export type CatalogEntryDraft = Omit<CatalogEntryDefinition, 'type' | 'category'> & {
  name: string;
  type?: ParameterType;
  category?: ParameterCategory;
};

/**
 * Applies the given fields over a base. Texts are trimmed; an empty validator
 * or unit means none. Values (allowed, default, deprecated) are kept exactly:
 * they are compared as strings with what environments store.
 */
export function patchDefinition(base: Partial<CatalogEntryDefinition>, fields: CatalogEntryFields, name: string): CatalogEntryDraft {
  const pick = <K extends keyof CatalogEntryDefinition>(key: K, nullable: boolean): CatalogEntryDefinition[K] | undefined => {
    const given = fields[key];
    if (given === undefined || (given === null && !nullable)) return base[key];
    return given as CatalogEntryDefinition[K];
  };
  const text = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());
  return {
    name: name.trim(),
    type: pick('type', false),
    category: pick('category', false),
    allowedValues: pick('allowedValues', false) ?? definitionDefaults.allowedValues,
    minValue: pick('minValue', true) ?? null,
    maxValue: pick('maxValue', true) ?? null,
    defaultValue: pick('defaultValue', true) ?? null,
    unit: text(pick('unit', true)),
    description: (pick('description', false) ?? '').trim(),
    group: (pick('group', false) ?? '').trim(),
    required: pick('required', false) ?? definitionDefaults.required,
    hotReloadable: pick('hotReloadable', false) ?? definitionDefaults.hotReloadable,
    critical: pick('critical', false) ?? definitionDefaults.critical,
    excludedFromFtf: pick('excludedFromFtf', false) ?? definitionDefaults.excludedFromFtf,
    validator: text(pick('validator', true)),
    deprecatedValues: (pick('deprecatedValues', false) ?? definitionDefaults.deprecatedValues).map((d) => ({ value: d.value, reason: d.reason.trim() })),
    maxLength: pick('maxLength', true) ?? null,
    consumedOutside: text(pick('consumedOutside', true)),
  };
}
