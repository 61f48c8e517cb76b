// The legacy tables as the import reads them (seeds/002, ADR-59): every
// column but the ones named here may be absent, and any of them null.

/** A base_env as stored: name → value (strings by ADR-59; numbers, booleans or null seen in practice). */
export type LegacySnapshot = Record<string, unknown>;

/** A row of `ftf_config`: the configuration as it stands. */
export interface LegacyConfigRow {
  id: string;
  baseEnv: LegacySnapshot | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** A row of `ftf_config_history` (append-only): the snapshot after a change. */
export interface LegacyHistoryRow {
  id: string;
  baseEnv: LegacySnapshot | null;
  diff: unknown;
  changedBy: string | null;
  changeReason: string | null;
  changedAt: Date | null;
}

/** A row of `finetune_runs`: the snapshot taken at run start, and whatever else the row holds. */
export interface LegacyRunRow {
  runId: string;
  baseEnv: LegacySnapshot | null;
  status: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  startedBy: string | null;
  name: string | null;
  /** Every other column, as JSON (timestamps as ISO strings). */
  metadata: Record<string, unknown>;
}

export interface LegacySource {
  /** What the source is, for the report: database and host, never the password. */
  description: string;
  config: LegacyConfigRow[];
  /** Oldest first: by id when every id is a number, else by time then id. */
  history: LegacyHistoryRow[];
  runs: LegacyRunRow[];
  /** `table.column` of each expected column the source lacks (a missing table lists as `table`). */
  absentColumns: string[];
}
