// The GraphQL documents the agent sends and the shapes it reads back: the
// whole of its dependency on the server's schema (runtime-agent/PROTOCOL.md).
// Server and agent ship together, so these name today's schema only.
import { APPLY_REPORT_DOCUMENT } from '../../contract/apply-report-document.ts';
import type { ParameterType } from '../../contract/catalog.ts';

/** A catalog entry as `LOAD` selects it. */
export interface EntryWire {
  name: string;
  type: ParameterType;
  category: string;
  hotReloadable: boolean;
  deprecated: boolean;
  replacement: { name: string } | null;
  allowedValues: string[];
  minValue: number | null;
  maxValue: number | null;
}

/** One `configChanged` event, with the changed values inline. */
export interface ConfigChangedWire {
  environment: string;
  version: number;
  kind: string;
  changedKeys: string[];
  createdAt: string;
  /** Every changed parameter with its new value (`null`: the value was removed). */
  changes: { name: string; after: string | null }[];
}

/** A version's full set of values (`activeConfig`, `version(number)`). */
export interface VersionValuesWire {
  version: number;
  values: Record<string, string>;
  /** When the version was committed (ACTIVE and VERSION_VALUES select it: the save-to-apply latency of a resync). */
  createdAt?: string;
}

export interface LoadResult {
  environment: { activeVersion: number; values: { name: string; value: string | null; entry: EntryWire | null }[] };
}
export interface ActiveResult {
  environment: { activeConfig: VersionValuesWire | null };
}
export interface VersionValuesResult {
  environment: { version: VersionValuesWire | null };
}
export interface RegisterResult {
  registerWorker: { id: string };
}
export interface StatusReportResult {
  reportWorkerStatus: { id: string; environment: { activeVersion: number } };
}

/**
 * The active version, and the consumed names with their values and catalog
 * entries (null: not in the catalog). Only the consumed names: the agent keeps
 * no other value, and a fleet starting together would otherwise fetch the
 * whole snapshot (~22 KB) once per agent.
 */
export const LOAD = /* GraphQL */ `query RuntimeAgentLoad($environment: String!, $names: [String!]) {
  environment(name: $environment) {
    activeVersion
    values(names: $names) {
      name
      value
      entry { name type category hotReloadable deprecated replacement { name } allowedValues minValue maxValue }
    }
  }
}`;

/** The active version with all its values: resync and the poll fallback. */
export const ACTIVE = /* GraphQL */ `query RuntimeAgentActive($environment: String!) {
  environment(name: $environment) { activeConfig { version values createdAt } }
}`;

/** One version with all its values: a gap in the stream is closed from this snapshot. */
export const VERSION_VALUES = /* GraphQL */ `query RuntimeAgentVersion($environment: String!, $number: Int!) {
  environment(name: $environment) { version(number: $number) { version values createdAt } }
}`;

export const REGISTER = /* GraphQL */ `mutation RuntimeAgentRegister($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`;

/** Its answer carries the environment's active version: the anti-entropy check. */
export const REPORT_STATUS = /* GraphQL */ `mutation RuntimeAgentStatus($input: ReportWorkerStatusInput!) { reportWorkerStatus(input: $input) { id environment { activeVersion } } }`;

/** The text the server recognises and answers without GraphQL's per-operation execution (contract/apply-report-document.ts). */
export const REPORT_APPLY = APPLY_REPORT_DOCUMENT;

/** Every version after `afterVersion`, then live, with its changed values inline. */
export const CONFIG_CHANGED = /* GraphQL */ `subscription RuntimeAgentChanges($environment: String!, $afterVersion: Int) {
  configChanged(environment: $environment, afterVersion: $afterVersion) {
    environment version kind changedKeys createdAt changes { name after }
  }
}`;

/** The HTTP and WebSocket endpoints of an API given as its base URL or its /graphql endpoint. */
export function endpoints(url: string): { http: string; ws: string } {
  const base = url.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return { http: `${base}/graphql`, ws: `${base.replace(/^http/, 'ws')}/graphql` };
}

export interface StartSessionResult {
  startSession: { run: { id: string }; parameterSetHash: string; created: boolean };
}
export interface FreezeVersionResult {
  createParameterSet: { parameterSet: { hash: string } };
}

/** A paper or live session binds itself: freeze the version it starts on, register it RUNNING, record its first epoch (one transaction). */
export const START_SESSION = /* GraphQL */ `mutation RuntimeAgentStartSession($input: StartSessionInput!) {
  startSession(input: $input) { run { id } parameterSetHash created }
}`;

/** Freezes a version the session applied (no factors, the worker's code version); the same content answers the same set. */
export const FREEZE_VERSION = /* GraphQL */ `mutation RuntimeAgentFreeze($input: CreateParameterSetInput!) {
  createParameterSet(input: $input) { parameterSet { hash } }
}`;

/** One epoch of the session: a retry of the same epoch answers the recorded one. */
export const RECORD_EPOCH = /* GraphQL */ `mutation RuntimeAgentEpoch($input: RecordSessionEpochInput!) { recordSessionEpoch(input: $input) { id } }`;

/** The session's terminal status when the agent closes. */
export const END_SESSION = /* GraphQL */ `mutation RuntimeAgentEndSession($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id status } }`;
