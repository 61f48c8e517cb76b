// How the agent offers metrics to the worker's own registry without depending
// on prom-client: a MetricFamily follows prom-client's metric contract (name,
// help, type, aggregator, get(), reset()), which is all a prom-client Registry
// reads when it renders /metrics or getMetricsAsJSON(). Samples are collected
// at scrape time from the agents attached to the family, so an agent that
// closes stops being reported at once, and several agents of one process can
// share one registry.
import { AgentError } from './errors.ts';

/**
 * The part of a prom-client `Registry` the agent uses. `registerMetric` takes
 * the registry's own metric type there; a MetricFamily satisfies it
 * structurally, hence `never` here (any registry with that method fits).
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** One sample as prom-client renders it: `metricName` for a histogram's _bucket/_sum/_count lines. */
export interface MetricSample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export interface MetricDefinition {
  name: string;
  help: string;
  type: MetricType;
}

/** A metric whose samples come from its sources, one per agent. */
export class MetricFamily {
  name: string;
  readonly help: string;
  readonly type: MetricType;
  /** prom-client's cluster aggregation: a worker process is one agent's, so sum is right for counters and histograms; gauges are per worker. */
  readonly aggregator: 'sum' | 'first';
  readonly #sources = new Map<string, () => MetricSample[]>();

  constructor({ name, help, type }: MetricDefinition) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.aggregator = type === 'gauge' ? 'first' : 'sum';
  }

  get sourceCount(): number {
    return this.#sources.size;
  }

  /** Adds the samples of one agent (`key`: its environment and worker name, unique in the registry). */
  add(key: string, source: () => MetricSample[]): void {
    if (this.#sources.has(key)) {
      throw new AgentError('METRICS_CONFLICT', `${this.name}: an agent with the same environment and worker name already reports to this registry.`);
    }
    this.#sources.set(key, source);
  }

  delete(key: string): void {
    this.#sources.delete(key);
  }

  async get(): Promise<{ name: string; help: string; type: MetricType; aggregator: string; values: MetricSample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: [...this.#sources.values()].flatMap((source) => source()) };
  }

  /** A registry-wide reset leaves the agents' own counts alone: they are read from the agents, not held here. */
  reset(): void {}
}

/**
 * Registers `definition` in `registry` (or joins the family already there)
 * with `source` as the samples of agent `key`; returns the function that
 * detaches it, removing the family with its last source. A metric of the same
 * name that is not the agent's is a configuration error, reported at once.
 */
export function attachMetricSource(registry: MetricsRegistry, definition: MetricDefinition, key: string, source: () => MetricSample[]): () => void {
  const existing = registry.getSingleMetric(definition.name);
  let family: MetricFamily;
  if (existing === undefined) {
    family = new MetricFamily(definition);
    registry.registerMetric(family as never);
  } else if (existing instanceof MetricFamily && existing.type === definition.type) {
    family = existing;
  } else {
    throw new AgentError('METRICS_CONFLICT', `${definition.name} is already registered in this registry by something other than a runtime agent.`);
  }
  family.add(key, source);
  return () => {
    family.delete(key);
    if (family.sourceCount === 0 && registry.getSingleMetric(definition.name) === family) registry.removeSingleMetric(definition.name);
  };
}
