import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's Prometheus metrics on a registry of its own (not prom-client's
 * global one), so two servers in one test process never share counters.
 */
export function createMetrics() {
  const registry = new Registry();
  /** A per-worker gauge: its labels come from stored, validated rows only (never request input). */
  const workerGauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['environment', 'worker'] as const, registers: [registry] });
  collectDefaultMetrics({ register: registry, prefix: 'ucp_' });
  return {
    registry,
    configWrites: new Counter({
      name: 'ucp_config_writes_total',
      help: 'Configuration writes by environment, kind and outcome.',
      labelNames: ['environment', 'kind', 'outcome'] as const,
      registers: [registry],
    }),
    configWriteDuration: new Histogram({
      name: 'ucp_config_write_duration_seconds',
      help: 'Time to validate and commit one configuration write.',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    activeVersion: new Gauge({
      name: 'ucp_active_config_version',
      help: 'Active configuration version per environment, as last published.',
      labelNames: ['environment'] as const,
      registers: [registry],
    }),
    rollbacks: new Counter({
      name: 'ucp_rollbacks_total',
      help: 'Restores of an earlier version, per environment.',
      labelNames: ['environment'] as const,
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'ucp_notifications_total',
      help: 'PostgreSQL notifications received by the LISTEN bridge, per channel.',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    listenReconnects: new Counter({
      name: 'ucp_listen_reconnects_total',
      help: 'Times the LISTEN connection was re-established.',
      registers: [registry],
    }),
    listenConnected: new Gauge({
      name: 'ucp_listen_connected',
      help: '1 while the LISTEN connection is up.',
      registers: [registry],
    }),
    versionReadBacks: new Counter({
      name: 'ucp_listen_version_reads_total',
      help: 'Reads of committed versions by the LISTEN bridge (a notification that carried its event needs none).',
      registers: [registry],
    }),
    versionsReplayed: new Counter({
      name: 'ucp_listen_versions_replayed_total',
      help: 'Versions published from the catch-up query after a reconnect or a gap.',
      registers: [registry],
    }),
    activeSubscriptions: new Gauge({
      name: 'ucp_active_subscriptions',
      help: 'GraphQL subscriptions currently open, per transport.',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    distributionLatency: new Histogram({
      name: 'ucp_distribution_latency_seconds',
      help: 'Save committed to applied by a worker.',
      labelNames: ['environment'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    laggingWorkers: new Gauge({
      name: 'ucp_workers_lagging',
      help: 'Workers more than 3 versions or 60 seconds behind their environment.',
      labelNames: ['environment'] as const,
      registers: [registry],
    }),
    // Per-worker state, read from the database at each scrape
    // (server/metrics/shared-state-gauges.ts), so every replica reports the
    // same values. Bounded: only workers heard from recently, at most a fixed
    // number of them; `environment` comes from the environments table and
    // `worker` is the name the server validated at registration.
    workerStatus: new Gauge({
      name: 'ucp_worker_status',
      help: 'The status a live worker last reported: 1 for its status, 0 for the others.',
      labelNames: ['environment', 'worker', 'status'] as const,
      registers: [registry],
    }),
    workerAppliedVersion: workerGauge('ucp_worker_applied_version', 'The configuration version a live worker applied last (absent before its first apply).'),
    workerLagVersions: workerGauge('ucp_worker_lag_versions', "Versions a live worker is behind its environment's active version."),
    workerLagSeconds: workerGauge('ucp_worker_lag_seconds', 'Seconds since the first version a live worker has not applied was saved; 0 when up to date.'),
    workerLastHeartbeat: workerGauge('ucp_worker_last_heartbeat_timestamp_seconds', 'When a live worker last reported (Unix time).'),
    workerCoverage: workerGauge('ucp_worker_parameter_coverage_ratio', "Share of a consumer's declared parameters that have a valid value in its environment's active version (S17 coverage)."),
    workerUncoveredParameters: workerGauge('ucp_worker_uncovered_parameters', "A consumer's declared parameters without a valid value in its environment's active version."),
    workerSeriesDropped: new Gauge({
      name: 'ucp_worker_series_dropped',
      help: 'Recent workers left out of the per-worker series because of the series cap.',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
