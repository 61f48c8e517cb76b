// The configuration a backtest replays: the parameter set as frozen, read by
// hash through the API (never the live state), its factors applied over its
// values, typed by the catalog metadata frozen with it. Every parameter the
// strategy consumes must be there, usable, before the first candle (ADR-25).
import type { GraphQLHttp } from '../src/graphql-http.ts';
import { ConfigSnapshot, findProblems, type CatalogEntryInfo, type ParameterType } from '../src/index.ts';
import { paperWorkerParameters, type CycleConfig, type PaperWorkerParameter } from '../paper-worker/decision-engine.ts';
import { BacktestError } from './backtest-error.ts';
import { PARAMETER_SET, type ParameterSetResult, type FrozenMetadata } from './backtest-documents.ts';

export interface FrozenConfig {
  hash: string;
  /** The version the set was first frozen from: the tag of every decision (a property of the set, so of its hash). */
  version: number;
  config: CycleConfig;
}

function catalogEntry(name: string, frozen: FrozenMetadata): CatalogEntryInfo {
  const bound = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    name,
    type: frozen.type as ParameterType,
    category: frozen.category,
    hotReloadable: frozen.hotReloadable,
    deprecated: frozen.deprecated,
    replacement: null,
    allowedValues: frozen.allowedValues ?? [],
    minValue: bound(frozen.minValue),
    maxValue: bound(frozen.maxValue),
  };
}

/**
 * The set's configuration for the strategy, or BacktestError:
 * PARAMETER_SET_NOT_FOUND, or PARAMETER_SET_INCOMPLETE listing every consumed
 * parameter that is missing, deprecated or invalid in the set.
 */
export async function readFrozenConfig(http: GraphQLHttp, hash: string): Promise<FrozenConfig> {
  const { parameterSet: set } = await http.request<ParameterSetResult>(PARAMETER_SET, { hash });
  if (!set) throw new BacktestError('PARAMETER_SET_NOT_FOUND', `No parameter set ${hash} that this token may read.`);
  const values: Record<string, string> = { ...set.values };
  for (const [name, variant] of Object.entries(set.factors ?? {})) if (typeof variant === 'string') values[name] = variant;
  const catalog = new Map<string, CatalogEntryInfo>();
  for (const [name, frozen] of Object.entries(set.catalogSnapshot ?? {})) catalog.set(name, catalogEntry(name, frozen));
  const problems = findProblems(paperWorkerParameters, catalog, values);
  if (problems.length) {
    throw new BacktestError(
      'PARAMETER_SET_INCOMPLETE',
      `Parameter set ${hash.slice(0, 12)} cannot run the reference strategy: ${problems.map((p) => `${p.name} (${p.reason.toLowerCase()}: ${p.message})`).join('; ')}.`,
      problems,
    );
  }
  const version = set.configVersion ?? 0;
  const snapshot = new ConfigSnapshot<PaperWorkerParameter>({ version, consumes: paperWorkerParameters, catalog, values });
  return {
    hash: set.hash,
    version,
    config: { version, number: (name) => snapshot.getNumber(name), boolean: (name) => snapshot.getBoolean(name) },
  };
}
