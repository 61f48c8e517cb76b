import type { CreateCatalogEntryInput } from '../catalog/index.ts';

// What a dry run prints and a real import returns (the --json form is this
// object). Rows are referred to as `<table>#<legacy id>`.

export interface UnknownKey {
  name: string;
  /** In how many snapshots (history, current row, runs) it appears. */
  seenIn: number;
  values: string[];
  /** The catalog entry the import proposes (null when the name cannot be a catalog name). */
  proposal: CreateCatalogEntryInput | null;
  /** Why there is no proposal, or why the key cannot come across as it is. */
  problem: string | null;
  /** Whether the import will create the entry (--create-unknown / --catalog-entries). */
  willCreate: boolean;
}

/** One refusal of today's checks, with every row that holds it. */
export interface RefusedValue {
  parameter: string | null;
  rule: string | null;
  value: string | null;
  code: string;
  reason: string;
  rows: string[];
}

export interface ValueConversion {
  parameter: string;
  legacy: string;
  stored: string;
  rows: string[];
}

export interface HistoryLine {
  row: string;
  at: string;
  author: string;
  reason: string | null;
  changedKeys: number;
  refused: number;
  /** The version it becomes (planned or, once imported, recorded). */
  version: number | null;
  alreadyImported: boolean;
}

export interface RunLine {
  row: string;
  name: string;
  legacyStatus: string | null;
  status: string;
  startedAt: string;
  endedAt: string;
  refused: number;
  notes: string[];
  alreadyImported: boolean;
}

export interface SupersetMiss {
  row: string;
  parameter: string | null;
  reason: string;
}

export interface LegacyImportReport {
  mode: 'dry-run' | 'import';
  source: string;
  environment: string;
  environmentExists: boolean;
  absentColumns: string[];
  keysFound: string[];
  unknownKeys: UnknownKey[];
  refusedValues: RefusedValue[];
  conversions: ValueConversion[];
  history: { total: number; toImport: number; alreadyImported: number; rows: HistoryLine[] };
  current: { row: string | null; toImport: boolean; version: number | null; sameAsHistory: boolean };
  runs: { total: number; toImport: number; alreadyImported: number; rows: RunLine[] };
  /** Catalog parameters the current legacy configuration has no value for (they stay without one). */
  catalogParametersAbsentFromLegacy: number;
  notes: string[];
  superset: { ok: boolean; checkedRows: number; missing: SupersetMiss[] };
  /** Filled by a real import. */
  imported?: { versions: number; runs: number; parameterSets: number; actors: number; catalogEntries: number; activeVersion: number; milliseconds: number };
}
