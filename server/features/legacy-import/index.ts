// The legacy-import slice's face (issue 12, the cut-over): reading the legacy
// ftf_config, ftf_config_history and finetune_runs, the plan and report a dry
// run prints, and the one-transaction import (scripts/import-legacy.ts).
export { createLegacyImport, LegacyImportRefused, type LegacyImport, type LegacyImportDeps, type LegacyImportOptions } from './create-legacy-import.ts';
export { readLegacySource } from './read-legacy-source.ts';
export { formatLegacyImportReport } from './format-legacy-import-report.ts';
export type { LegacyImportReport, RefusedValue, SupersetMiss, UnknownKey } from './legacy-import-report.ts';
export type { LegacyConfigRow, LegacyHistoryRow, LegacyRunRow, LegacySnapshot, LegacySource } from './legacy-rows.ts';
