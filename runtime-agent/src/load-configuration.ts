// ready()'s first step: the active version and the catalog entries of the
// consumed names, checked all at once (ADR-25) before the worker is registered.
import type { RegisterWorkerMessage, WorkerMode } from '../../contract/protocol.ts';
import { findProblems, type CatalogEntryInfo } from './config-snapshot.ts';
import { ConfigNotReadyError } from './errors.ts';
import type { GraphQLHttp } from './graphql-http.ts';
import { LOAD, REGISTER, type LoadResult, type RegisterResult } from './wire-documents.ts';

export interface LoadedConfiguration {
  /** The environment's active version (0 when it has none yet). */
  version: number;
  /** The raw values of the consumed names that have one. */
  values: Record<string, string>;
  /** The catalog entries of the consumed names the catalog knows. */
  catalog: Map<string, CatalogEntryInfo>;
  /** The worker's id in the registry. */
  workerId: string;
}

/**
 * Loads, checks and registers (with its first status report: READY at the
 * loaded version). Rejects with ConfigNotReadyError listing every
 * unusable consumed name, before anything is registered.
 */
export async function loadConfiguration({ http, environment, names, workerName, mode }: {
  http: GraphQLHttp;
  environment: string;
  names: readonly string[];
  workerName: string;
  mode: WorkerMode;
}): Promise<LoadedConfiguration> {
  const data = await http.request<LoadResult>(LOAD, { environment, names });
  const catalog = new Map<string, CatalogEntryInfo>();
  const values: Record<string, string> = {};
  for (const { name, value, entry } of data.environment.values) {
    if (entry) catalog.set(entry.name, { ...entry, replacement: entry.replacement?.name ?? null, allowedValues: Object.freeze([...entry.allowedValues]) });
    if (value !== null) values[name] = value;
  }
  const version = data.environment.activeVersion;
  const problems = findProblems(names, catalog, values);
  if (problems.length > 0) throw new ConfigNotReadyError(problems);
  // Registered as READY with the version it loaded: ready() resolves right
  // after, and this saves the fleet's first status report (a request each).
  const input: RegisterWorkerMessage = {
    name: workerName, mode, consumes: [...names],
    status: { status: 'READY', receivedVersion: version || null, appliedVersion: version || null, pendingRestart: [] },
  };
  const registered = await http.request<RegisterResult>(REGISTER, { input });
  return { version, values, catalog, workerId: registered.registerWorker.id };
}
