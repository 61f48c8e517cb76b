// The GraphQL documents the backtest runner sends: the whole of its
// dependency on the server's schema.

export interface FrozenMetadata {
  type: string;
  category: string;
  hotReloadable: boolean;
  deprecated: boolean;
  allowedValues?: string[] | null;
  minValue?: number | string | null;
  maxValue?: number | string | null;
}

export interface ParameterSetResult {
  parameterSet: {
    hash: string;
    configVersion: number | null;
    values: Record<string, string>;
    factors: Record<string, unknown> | null;
    catalogSnapshot: Record<string, FrozenMetadata> | null;
  } | null;
}

export interface RunResult {
  run: { id: string; kind: string; status: string; metadata: unknown; parameterSet: { hash: string } } | null;
}

/** The set as frozen (values, factors, catalog metadata): never the live state. */
export const PARAMETER_SET = /* GraphQL */ `query BacktestParameterSet($hash: String!) {
  parameterSet(hash: $hash) { hash configVersion values factors catalogSnapshot }
}`;

export const RUN = /* GraphQL */ `query BacktestRun($id: ID!) { run(id: $id) { id kind status metadata parameterSet { hash } } }`;

export const CREATE_RUN = /* GraphQL */ `mutation BacktestCreateRun($input: CreateRunInput!) { createRun(input: $input) { id } }`;

/** Status moves; a claim is RUNNING with expectedStatus PENDING (CONFLICT when someone else moved it first). */
export const UPDATE_RUN = /* GraphQL */ `mutation BacktestUpdateRun($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id status outputDigest } }`;
