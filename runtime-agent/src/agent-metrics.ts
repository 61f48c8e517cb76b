// The agent's own metrics, offered to the worker's registry (prom-client's, or
// any with its shape: metric-family.ts). They describe the worker as it sees
// itself; the server's ucp_worker_* series describe it as the server was told.
// Labels: `environment` and `worker` come from the worker's own configuration,
// `status` and `section` from fixed sets; nothing received over the wire
// becomes a label. The series of an agent end when it closes.
import { WORKER_STATUSES, type WorkerStatus } from '../../contract/protocol.ts';
import { FORBIDDEN_SECTIONS, type ApplyBatch, type ForbiddenSection } from './apply-scheduler.ts';
import { attachMetricSource, type MetricDefinition, type MetricSample, type MetricsRegistry } from './metric-family.ts';

export interface AgentMetricsOptions {
  /** The worker's registry: a prom-client `Registry`, or anything with its registerMetric / getSingleMetric / removeSingleMetric. */
  registry: MetricsRegistry;
}

/** The metric names, for dashboards, rules and tests. */
export const AgentMetricName = {
  Status: 'ucp_agent_status',
  AppliedVersion: 'ucp_agent_applied_version',
  ReceivedVersion: 'ucp_agent_received_version',
  PendingRestarts: 'ucp_agent_pending_restarts',
  Applies: 'ucp_agent_applies_total',
  ForbiddenSectionEvents: 'ucp_agent_forbidden_section_events_total',
  SaveToApply: 'ucp_agent_save_to_apply_seconds',
  SessionEpochs: 'ucp_agent_session_epochs_recorded_total',
  SessionEpochsPending: 'ucp_agent_session_epochs_pending',
  SessionRecordFailures: 'ucp_agent_session_record_failures_total',
} as const;

/** How a failed session request ended: retried (transient), or given up (refused: the session stops recording). */
export const SESSION_FAILURE_OUTCOMES = ['retried', 'given_up'] as const;
export type SessionFailureOutcome = (typeof SESSION_FAILURE_OUTCOMES)[number];

/** The server's buckets for ucp_distribution_latency_seconds: the agent's and the server's histograms compare bucket for bucket. */
export const SAVE_TO_APPLY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** What the gauges read at scrape time. */
export interface AgentState {
  status: WorkerStatus;
  /** 0 before ready() loaded a version: no version series then. */
  appliedVersion: number;
  receivedVersion: number;
  pendingRestarts: number;
  /** Session epochs queued and not recorded yet; undefined when the agent records no session. */
  sessionEpochsPending?: number;
}

export interface AgentMetrics {
  /** A version became visible: counts it and, when its commit time is known, observes its save-to-apply latency. */
  applied(batch: Pick<ApplyBatch, 'createdAt' | 'appliedAt'>): void;
  /** The scheduler's guard refused an apply (FORBIDDEN_SECTION_EVENT). */
  forbiddenSection(section: ForbiddenSection): void;
  /** The server confirmed a session epoch (the start included). */
  sessionRecorded(): void;
  /** A session request failed. */
  sessionFailure(outcome: SessionFailureOutcome): void;
  /** Removes this agent's series from the registry. */
  close(): void;
}

const definitions: Record<keyof typeof AgentMetricName, MetricDefinition> = {
  Status: { name: AgentMetricName.Status, type: 'gauge', help: 'The runtime agent\'s status: 1 for the current one, 0 for the others.' },
  AppliedVersion: { name: AgentMetricName.AppliedVersion, type: 'gauge', help: 'The configuration version whose values the worker reads.' },
  ReceivedVersion: { name: AgentMetricName.ReceivedVersion, type: 'gauge', help: 'The newest configuration version received (applied or waiting for its boundary).' },
  PendingRestarts: { name: AgentMetricName.PendingRestarts, type: 'gauge', help: 'Consumed parameters whose newer value waits for a restart.' },
  Applies: { name: AgentMetricName.Applies, type: 'counter', help: 'Configuration versions applied at a safe boundary.' },
  ForbiddenSectionEvents: { name: AgentMetricName.ForbiddenSectionEvents, type: 'counter', help: 'Applies refused because they would have landed in a cycle, a critical section or under an open position (must stay 0).' },
  SaveToApply: { name: AgentMetricName.SaveToApply, type: 'histogram', help: 'Version committed on the server to applied by this worker (seconds, on the two clocks).' },
  SessionEpochs: { name: AgentMetricName.SessionEpochs, type: 'counter', help: 'Epochs of the paper or live session the server recorded (its start included).' },
  SessionEpochsPending: { name: AgentMetricName.SessionEpochsPending, type: 'gauge', help: 'Session epochs applied and not recorded yet (grows while the server is away).' },
  SessionRecordFailures: { name: AgentMetricName.SessionRecordFailures, type: 'counter', help: 'Failed session requests: retried (transient) or given_up (refused: the session stops recording; must stay 0).' },
};

export function createAgentMetrics({ registry, environment, workerName, state }: AgentMetricsOptions & {
  environment: string;
  workerName: string;
  state: () => AgentState;
}): AgentMetrics {
  const labels = { environment, worker: workerName };
  let applies = 0;
  const forbidden = Object.fromEntries(FORBIDDEN_SECTIONS.map((s) => [s, 0])) as Record<ForbiddenSection, number>;
  const buckets = SAVE_TO_APPLY_BUCKETS.map(() => 0);
  let observed = 0;
  let sum = 0;
  let sessionEpochs = 0;
  const sessionFailures: Record<SessionFailureOutcome, number> = { retried: 0, given_up: 0 };

  const version = (read: (s: AgentState) => number) => (): MetricSample[] => {
    const value = read(state());
    return value > 0 ? [{ labels, value }] : [];
  };
  const sources: Record<keyof typeof AgentMetricName, () => MetricSample[]> = {
    Status: () => {
      const { status } = state();
      return WORKER_STATUSES.map((s) => ({ labels: { ...labels, status: s }, value: s === status ? 1 : 0 }));
    },
    AppliedVersion: version((s) => s.appliedVersion),
    ReceivedVersion: version((s) => s.receivedVersion),
    PendingRestarts: () => [{ labels, value: state().pendingRestarts }],
    Applies: () => [{ labels, value: applies }],
    // Every section from the start at 0, so increase() sees the first event.
    ForbiddenSectionEvents: () => FORBIDDEN_SECTIONS.map((section) => ({ labels: { ...labels, section }, value: forbidden[section] })),
    SaveToApply: () => {
      const name = AgentMetricName.SaveToApply;
      let cumulative = 0;
      return [
        ...SAVE_TO_APPLY_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: (cumulative += buckets[i] as number) })),
        { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: observed },
        { metricName: `${name}_sum`, labels, value: sum },
        { metricName: `${name}_count`, labels, value: observed },
      ];
    },
    SessionEpochs: () => (state().sessionEpochsPending === undefined ? [] : [{ labels, value: sessionEpochs }]),
    SessionEpochsPending: () => {
      const pending = state().sessionEpochsPending;
      return pending === undefined ? [] : [{ labels, value: pending }];
    },
    SessionRecordFailures: () => (state().sessionEpochsPending === undefined ? [] : SESSION_FAILURE_OUTCOMES.map((outcome) => ({ labels: { ...labels, outcome }, value: sessionFailures[outcome] }))),
  };

  const key = JSON.stringify([environment, workerName]);
  const detach: (() => void)[] = [];
  try {
    for (const [id, definition] of Object.entries(definitions) as [keyof typeof AgentMetricName, MetricDefinition][]) {
      detach.push(attachMetricSource(registry, definition, key, sources[id]));
    }
  } catch (error) {
    for (const d of detach) d();
    throw error;
  }

  return {
    applied({ createdAt, appliedAt }) {
      applies += 1;
      if (!createdAt) return;
      // The commit time is the database's clock, the apply time the worker's:
      // a skew that makes it negative counts as 0, as on the server.
      const seconds = Math.max(0, (appliedAt.getTime() - createdAt.getTime()) / 1000);
      const bucket = SAVE_TO_APPLY_BUCKETS.findIndex((le) => seconds <= le);
      if (bucket >= 0) buckets[bucket] = (buckets[bucket] as number) + 1;
      observed += 1;
      sum += seconds;
    },
    forbiddenSection(section) {
      forbidden[section] += 1;
    },
    sessionRecorded() {
      sessionEpochs += 1;
    },
    sessionFailure(outcome) {
      sessionFailures[outcome] += 1;
    },
    close() {
      for (const d of detach.splice(0)) d();
    },
  };
}
