// The parameter-sets slice's face: content-addressed, immutable parameter
// sets and the runs bound to them: their services, read models, the content
// hash (which tests and tools recompute) and the comparability rules.
export { createParameterSetService, type CreateParameterSetInput, type FreezeResult, type ParameterSetService } from './parameter-set-service.ts';
export {
  createParameterSetReads, type ParameterSetFilter, type ParameterSetReads, type ParameterSetValue, type ParameterSetValueGroup,
} from './parameter-set-reads.ts';
export {
  catalogMetadataFields, isParameterSetHash, parameterSetHash,
  type CatalogMetadata, type CatalogMetadataField, type JsonObject, type ParameterSetContent,
} from './parameter-set-content.ts';
export { compareParameterSets, diffCatalogs, type CatalogDiff, type KeyDiff, type ParameterSetComparison } from './parameter-set-diff.ts';
export { readCodeVersion, type CodeVersion, type CodeVersionInput } from './code-version.ts';
export { maxFactors, readFactors, type FactorInput, type Factors } from './experimental-factors.ts';
export { factorVariantViolations } from './factor-variant.ts';
export { createFtfGridReads, type FtfGrid, type FtfGridQuery, type FtfGridReads } from './ftf-grid-reads.ts';
export type { FtfGridFactor, FtfParticipation, FtfSweep } from './ftf-grid.ts';
export type { RangeScale, SearchSpace } from './factor-variant.ts';
export { frozenDefinitions, type FrozenDefinitions } from './freeze-check.ts';
export {
  createRunService, terminalRunStatuses, type CreateRunInput, type RerunInput, type RunService, type UpdateRunStatusInput,
} from './run-service.ts';
export { createSessionService, type SessionService, type StartSessionInput, type StartedSession } from './session-service.ts';
export { createRunEpochService, type RecordEpochInput, type RunEpochService } from './run-epoch-service.ts';
export { createRunReads, canReadRun, type RunComparison, type RunLineage, type RunReads } from './run-reads.ts';
export { runOrderBy, runOrders, type RunFilter, type RunOrder } from './run-filter.ts';
export {
  compareRunComparability, type Comparability, type ComparabilityReason, type ComparabilityReasonCode, type ComparableRun,
} from './run-comparability.ts';
