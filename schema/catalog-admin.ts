import { builder } from './builder.ts';
import { ParameterCategoryEnum, ParameterTypeEnum } from './enums.ts';
import { ViolationRef } from './violations.ts';

// Catalog administration: admins add, edit and deprecate parameters
// (architecture §12). Entries are never deleted or renamed: the name is the id.

const DeprecatedValueInput = builder.inputType('DeprecatedValueInput', {
  fields: (t) => ({
    value: t.string({ required: true, description: 'A value that was legal and is refused from now on (stored values stay until changed).' }),
    reason: t.string({ required: true, description: 'Shown to the operator whose save is refused, e.g. the incident and the value to use instead.' }),
  }),
});

const descriptions = {
  name: 'The permanent id: CVN_ followed by capital letters, digits and underscores. It cannot be changed later.',
  type: 'How values are typed and bound in CEL (INT → int, FLOAT → double).',
  allowedValues: 'ENUM only, at least one; the values an operator may write.',
  minValue: 'INT and FLOAT only: inclusive lower bound (whole for INT); null for unbounded.',
  maxValue: 'INT and FLOAT only: inclusive upper bound (whole for INT); null for unbounded.',
  defaultValue: 'The value a new environment starts with; must be valid under this definition.',
  unit: 'Shown next to values, e.g. bars, bps, USDC.',
  description: 'What the parameter does and what changing it means, for operators.',
  group: 'The display group in the console.',
  required: 'An empty value is refused (default true).',
  hotReloadable: 'Workers apply a change without restarting (default false).',
  critical: 'Changes need a second person\'s approval (default false).',
  excludedFromFtf: 'Left out of fine-tuning factor sweeps (default false).',
  validator: 'Optional CEL over `value` (this parameter\'s typed value) and `params` (every typed value); must evaluate to true.',
  deprecatedValues: 'Values refused on write from now on, each with the reason operators will read.',
  consumedOutside: 'The code outside the sources the drift check scans that reads this parameter, in lower-case words joined by hyphens (e.g. python-training-harness); null: the scanned code must consume it.',
  maxLength: 'The longest value accepted, in characters (1 to 1,048,576); null: the server\'s global ceiling (MAX_VALUE_LENGTH, 4,096 by default).',
  reason: 'Why (required, kept in the catalog history and the audit trail).',
};

const CreateCatalogEntryInput = builder.inputType('CreateCatalogEntryInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: descriptions.name }),
    type: t.field({ type: ParameterTypeEnum, required: true, description: descriptions.type }),
    allowedValues: t.stringList({ required: false, description: descriptions.allowedValues }),
    minValue: t.float({ required: false, description: descriptions.minValue }),
    maxValue: t.float({ required: false, description: descriptions.maxValue }),
    defaultValue: t.string({ required: false, description: descriptions.defaultValue }),
    unit: t.string({ required: false, description: descriptions.unit }),
    description: t.string({ required: true, description: descriptions.description }),
    group: t.string({ required: true, description: descriptions.group }),
    category: t.field({ type: ParameterCategoryEnum, required: true }),
    required: t.boolean({ required: false, description: descriptions.required }),
    hotReloadable: t.boolean({ required: false, description: descriptions.hotReloadable }),
    critical: t.boolean({ required: false, description: descriptions.critical }),
    excludedFromFtf: t.boolean({ required: false, description: descriptions.excludedFromFtf }),
    validator: t.string({ required: false, description: descriptions.validator }),
    deprecatedValues: t.field({ type: [DeprecatedValueInput], required: false, description: descriptions.deprecatedValues }),
    maxLength: t.int({ required: false, description: descriptions.maxLength }),
    consumedOutside: t.string({ required: false, description: descriptions.consumedOutside }),
    reason: t.string({ required: true, description: descriptions.reason }),
  }),
});

const patchNote = ' Left out: unchanged; null clears it.';

const UpdateCatalogEntryInput = builder.inputType('UpdateCatalogEntryInput', {
  description: 'Changes some fields of an entry; fields left out keep their value. Refused when a value an environment holds today would no longer be valid.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The entry to change (renaming is not supported: deprecate and add a new entry).' }),
    expectedRevision: t.int({ required: true, description: 'The revision you read; a stale one gets VERSION_CONFLICT with the current revision.' }),
    type: t.field({ type: ParameterTypeEnum, required: false, description: descriptions.type }),
    allowedValues: t.stringList({ required: false, description: descriptions.allowedValues }),
    minValue: t.float({ required: false, description: descriptions.minValue + patchNote }),
    maxValue: t.float({ required: false, description: descriptions.maxValue + patchNote }),
    defaultValue: t.string({ required: false, description: descriptions.defaultValue + patchNote }),
    unit: t.string({ required: false, description: descriptions.unit + patchNote }),
    description: t.string({ required: false, description: descriptions.description }),
    group: t.string({ required: false, description: descriptions.group }),
    category: t.field({ type: ParameterCategoryEnum, required: false }),
    required: t.boolean({ required: false, description: descriptions.required }),
    hotReloadable: t.boolean({ required: false, description: descriptions.hotReloadable }),
    critical: t.boolean({ required: false, description: descriptions.critical }),
    excludedFromFtf: t.boolean({ required: false, description: descriptions.excludedFromFtf }),
    validator: t.string({ required: false, description: descriptions.validator + patchNote }),
    deprecatedValues: t.field({ type: [DeprecatedValueInput], required: false, description: descriptions.deprecatedValues }),
    maxLength: t.int({ required: false, description: descriptions.maxLength + patchNote }),
    consumedOutside: t.string({ required: false, description: descriptions.consumedOutside + patchNote }),
    reason: t.string({ required: true, description: descriptions.reason }),
  }),
});

const DeprecateCatalogEntryInput = builder.inputType('DeprecateCatalogEntryInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    replacementName: t.string({ required: false, description: 'The parameter to use instead: it must exist and not be deprecated itself.' }),
    reason: t.string({ required: true, description: 'Why; becomes the entry\'s deprecation reason and is kept in the history and the audit trail.' }),
    expectedRevision: t.int({ required: false, description: 'The revision you read; when given, a stale one gets VERSION_CONFLICT.' }),
  }),
});

const CatalogEntryCheckMode = builder.enumType('CatalogEntryCheckMode', {
  values: {
    CREATE: { description: 'A new entry: the name must be free and type, description, group and category given.' },
    UPDATE: { description: 'The fields patch the existing entry, and the values environments hold are checked against the result.' },
  },
});

const CheckCatalogEntryInput = builder.inputType('CheckCatalogEntryInput', {
  description: 'A catalog entry form as it stands: every field optional, so an incomplete form is checked too.',
  fields: (t) => ({
    mode: t.field({ type: CatalogEntryCheckMode, required: true }),
    name: t.string({ required: true, description: descriptions.name }),
    type: t.field({ type: ParameterTypeEnum, required: false }),
    allowedValues: t.stringList({ required: false }),
    minValue: t.float({ required: false }),
    maxValue: t.float({ required: false }),
    defaultValue: t.string({ required: false }),
    unit: t.string({ required: false }),
    description: t.string({ required: false }),
    group: t.string({ required: false }),
    category: t.field({ type: ParameterCategoryEnum, required: false }),
    required: t.boolean({ required: false }),
    hotReloadable: t.boolean({ required: false }),
    critical: t.boolean({ required: false }),
    excludedFromFtf: t.boolean({ required: false }),
    validator: t.string({ required: false }),
    deprecatedValues: t.field({ type: [DeprecatedValueInput], required: false }),
    maxLength: t.int({ required: false }),
    consumedOutside: t.string({ required: false }),
  }),
});

builder.queryFields((t) => ({
  checkCatalogEntry: t.field({
    type: [ViolationRef],
    authScopes: { admin: true },
    description: 'Dry run of a create or update: every violation it would meet now (empty when it would be saved). Writes nothing.',
    args: { input: t.arg({ type: CheckCatalogEntryInput, required: true }) },
    // GraphQL keeps absent fields undefined and explicit nulls null: the service reads them as "keep" and "clear".
    resolve: (_root, { input }, { services }) => services.catalogAdmin.checkEntry(input),
  }),
}));

builder.mutationFields((t) => ({
  createCatalogEntry: t.prismaField({
    type: 'CatalogEntry',
    authScopes: { admin: true },
    description: 'Adds a parameter (revision 1). Environments have no value for it until one is saved.',
    args: { input: t.arg({ type: CreateCatalogEntryInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const entry = await services.catalogAdmin.createEntry(viewer!, input);
      return reads.catalog.existingEntry(query, entry.name);
    },
  }),
  updateCatalogEntry: t.prismaField({
    type: 'CatalogEntry',
    authScopes: { admin: true },
    description: 'Changes an entry\'s definition as a new revision; refused (VALIDATION_FAILED, naming the environment) when a live value would no longer be valid.',
    args: { input: t.arg({ type: UpdateCatalogEntryInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const entry = await services.catalogAdmin.updateEntry(viewer!, input);
      return reads.catalog.existingEntry(query, entry.name);
    },
  }),
  deprecateCatalogEntry: t.prismaField({
    type: 'CatalogEntry',
    authScopes: { admin: true },
    description: 'Marks an entry deprecated (never deleted): saves of it are refused with DEPRECATED from now on, pointing to the replacement.',
    args: { input: t.arg({ type: DeprecateCatalogEntryInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const entry = await services.catalogAdmin.deprecateEntry(viewer!, input);
      return reads.catalog.existingEntry(query, entry.name);
    },
  }),
}));
