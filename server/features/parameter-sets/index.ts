// The parameter-sets slice's face: content-addressed, immutable parameter
// sets and the runs bound to them: their services, read models and the
// content hash (which tests and tools recompute).
export { createParameterSetService, type CreateParameterSetInput, type ParameterSetService } from './parameter-set-service.ts';
export { createParameterSetReads, type ParameterSetFilter, type ParameterSetReads } from './parameter-set-reads.ts';
export {
  catalogMetadataFields, isParameterSetHash, parameterSetHash,
  type CatalogMetadata, type CatalogMetadataField, type JsonObject, type ParameterSetContent,
} from './parameter-set-content.ts';
export { compareParameterSets, diffCatalogs, type CatalogDiff, type KeyDiff, type ParameterSetComparison } from './parameter-set-diff.ts';
export { createRunService, terminalRunStatuses, type CreateRunInput, type RunService, type UpdateRunStatusInput } from './run-service.ts';
export { createRunReads, type RunFilter, type RunReads } from './run-reads.ts';
