import type { Viewer } from '../../auth/index.ts';
import { badRequest } from '../../errors/index.ts';
import { activityKinds, type ActivityKind, type ObservabilityFilter, type ObservabilityReads } from '../../features/observability/index.ts';
import { seriesFromPoints, seriesFromSteps, type QueryAnswer } from './grafana-answers.ts';
import type { QueryScope } from './grafana-request.ts';
import { coverageTable, laggingCountTable, versionAnnotationTable, workerTable, configChangeTable } from './grafana-tables.ts';

/** What one target reads: the caller, the query's range and filters (ad hoc and the target's payload), and its payload. */
export interface TargetContext {
  observability: ObservabilityReads;
  viewer: Viewer;
  scope: QueryScope;
  filter: ObservabilityFilter;
  payload: Record<string, unknown>;
}

/** A payload field as /metrics describes it to the query editor. */
export interface PayloadDescription {
  name: string;
  label: string;
  type: 'select' | 'multi-select' | 'input' | 'textarea';
  placeholder?: string;
  reloadMetric?: boolean;
  options?: { label: string; value: string }[];
}

export interface TargetDefinition {
  value: string;
  label: string;
  payloads: PayloadDescription[];
  answer(context: TargetContext): Promise<QueryAnswer[]>;
}

const environmentPayload: PayloadDescription = { name: 'environment', label: 'Environment', type: 'multi-select', placeholder: 'every readable environment' };
const workerPayload: PayloadDescription = { name: 'worker', label: 'Worker', type: 'multi-select', placeholder: 'every worker' };

/** The percentiles the latency target offers (KPI 3 is p95 under 5 s). */
export const latencyQuantiles = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;
type QuantileName = keyof typeof latencyQuantiles;
const quantilePayload: PayloadDescription = {
  name: 'quantiles', label: 'Percentiles', type: 'multi-select', placeholder: 'p50, p95, p99',
  options: Object.keys(latencyQuantiles).map((name) => ({ label: name, value: name })),
};

function chosenQuantiles(value: unknown): QuantileName[] {
  const all = Object.keys(latencyQuantiles) as QuantileName[];
  const asked = (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(String);
  if (asked.length === 0) return all;
  // A multi-value variable arrives in regex format, e.g. (p50|p95).
  const names = asked.flatMap((item) => item.replace(/[()]/g, '').split('|')).filter(Boolean);
  const unknown = names.filter((name) => !all.includes(name as QuantileName));
  if (unknown.length > 0) throw badRequest(`Unknown percentiles ${unknown.join(', ')}; use ${all.join(', ')}.`, { field: 'payload.quantiles' });
  return all.filter((name) => names.includes(name));
}

const activityLabels: Record<ActivityKind, string> = {
  saves: 'Saves per interval (committed versions but the seed), per environment',
  approvals: 'Approvals per interval (versions committed by approving a change request), per environment',
  rejections: 'Rejections per interval (change requests rejected), per environment',
  rollbacks: 'Rollbacks per interval (restores of an earlier version), per environment',
};

/** One count per bucket for every readable environment, 0 where nothing happened. */
function activityTarget(kind: ActivityKind): TargetDefinition {
  return {
    value: kind,
    label: activityLabels[kind],
    payloads: [environmentPayload],
    async answer({ observability, viewer, scope, filter }) {
      const [environments, rows] = await Promise.all([observability.environmentNames(viewer, filter), observability.activity(viewer, { buckets: scope.buckets, filter })]);
      return environments.map((environment) => seriesFromPoints(
        `${kind} ${environment}`, scope.buckets,
        rows.filter((row) => row.environment === environment).map((row) => ({ bucket: row.bucket, value: row[kind] })), 0));
    },
  };
}

/** Every target of the datasource, in the order /metrics lists them. */
export const grafanaTargets: readonly TargetDefinition[] = [
  {
    value: 'distribution_latency',
    label: 'Distribution latency (s), save committed to applied: p50/p95/p99 per environment',
    payloads: [environmentPayload, workerPayload, quantilePayload],
    async answer({ observability, viewer, scope, filter, payload }) {
      const names = chosenQuantiles(payload.quantiles);
      const rows = await observability.latency(viewer, { buckets: scope.buckets, filter, quantiles: names.map((name) => latencyQuantiles[name]) });
      const environments = [...new Set(rows.map((row) => row.environment))];
      return environments.flatMap((environment) => names.map((name, q) => seriesFromPoints(
        `${name} ${environment}`, scope.buckets,
        rows.filter((row) => row.environment === environment).map((row) => ({ bucket: row.bucket, value: row.seconds[q]! })))));
    },
  },
  ...activityKinds.map(activityTarget),
  {
    value: 'active_version',
    label: 'Active configuration version per environment',
    payloads: [environmentPayload],
    async answer({ observability, viewer, scope, filter }) {
      const rows = await observability.activeVersions(viewer, { buckets: scope.buckets, filter });
      return rows.map(({ environment, steps }) => seriesFromSteps(environment, scope.buckets, steps));
    },
  },
  {
    value: 'applied_version',
    label: 'Version each worker had applied (from its apply reports), per worker',
    payloads: [environmentPayload, workerPayload],
    async answer({ observability, viewer, scope, filter }) {
      const rows = await observability.workerVersions(viewer, { buckets: scope.buckets, filter });
      return rows.map((row) => seriesFromSteps(`${row.environment}/${row.worker}`, scope.buckets, row.applied));
    },
  },
  {
    value: 'worker_lag_versions',
    label: "Versions each worker was behind its environment's active version, per worker",
    payloads: [environmentPayload, workerPayload],
    async answer({ observability, viewer, scope, filter }) {
      const rows = await observability.workerVersions(viewer, { buckets: scope.buckets, filter });
      return rows.map((row) => seriesFromSteps(`${row.environment}/${row.worker}`, scope.buckets, row.behind));
    },
  },
  {
    value: 'workers',
    label: 'Workers now (table): status, applied version, lag, last apply, pending restart, last heartbeat',
    payloads: [environmentPayload, workerPayload],
    answer: async ({ observability, viewer, filter }) => [workerTable(await observability.workers(viewer, filter))],
  },
  {
    value: 'lagging_workers',
    label: 'Workers lagging now (table): more than 3 versions or 60 s behind, not stopped',
    payloads: [environmentPayload, workerPayload],
    answer: async ({ observability, viewer, filter }) =>
      [workerTable(await observability.workers(viewer, filter, { laggingOnly: true }))],
  },
  {
    value: 'lagging_worker_count',
    label: 'Lagging workers now, per environment (table: running, lagging)',
    payloads: [environmentPayload],
    answer: async ({ observability, viewer, filter }) => [laggingCountTable(await observability.laggingWorkers(viewer, filter))],
  },
  {
    value: 'parameter_coverage',
    label: "Share of each consumer's parameters with a valid value (S17 coverage, table)",
    payloads: [environmentPayload, workerPayload],
    answer: async ({ observability, viewer, filter }) => [coverageTable(await observability.coverage(viewer, filter))],
  },
  {
    value: 'config_changes',
    label: 'Configuration changes in the range (table: one row per changed parameter)',
    payloads: [environmentPayload],
    answer: async ({ observability, viewer, scope, filter }) => [configChangeTable(await observability.configChanges(viewer, { window: scope.window, filter }))],
  },
  {
    value: 'config_versions',
    label: 'Committed versions in the range (table for annotations: time, title, text, tags)',
    payloads: [environmentPayload],
    answer: async ({ observability, viewer, scope, filter }) => [versionAnnotationTable(await observability.versions(viewer, { window: scope.window, filter }))],
  },
];

const byValue = new Map(grafanaTargets.map((target) => [target.value, target]));

/** The definition of a target name, or BAD_REQUEST listing the known ones. */
export function findTarget(value: string): TargetDefinition {
  const found = byValue.get(value);
  if (!found) throw badRequest(`Unknown target ${value}; POST /grafana/metrics lists them.`, { field: 'targets.target' });
  return found;
}
