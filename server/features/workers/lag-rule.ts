/**
 * When a worker counts as lagging (architecture §11): more than 3 versions or
 * 60 seconds behind its environment. The one definition of lag: the Worker
 * fields (lagVersions, lagSeconds, lagging) and the ucp_workers_lagging gauge
 * both call workerLag on the same inputs, so the dashboard and the alert
 * cannot disagree about a worker.
 */
export const lagThresholds = { versions: 3, seconds: 60 } as const;

/** What the rule reads of one worker. */
export interface LagInputs {
  /** The environment's active version. */
  activeVersion: number;
  /** The version the worker applied last; null before its first apply. */
  appliedVersion: number | null;
  /** When the first version it has not applied (appliedVersion + 1) was saved; null when unknown. */
  nextVersionSavedAt: Date | null;
}

export interface WorkerLag {
  /** Versions behind the active one; null before the first apply. */
  versions: number | null;
  /** Seconds since the first unapplied version was saved; 0 when up to date, null before the first apply. */
  seconds: number | null;
  lagging: boolean;
}

export function versionsBehind(activeVersion: number, appliedVersion: number | null): number | null {
  return appliedVersion === null ? null : Math.max(0, activeVersion - appliedVersion);
}

/** The version whose save time the rule needs, or null when it needs none (up to date, or never applied). */
export function firstUnappliedVersion(activeVersion: number, appliedVersion: number | null): number | null {
  return appliedVersion !== null && appliedVersion < activeVersion ? appliedVersion + 1 : null;
}

export function workerLag({ activeVersion, appliedVersion, nextVersionSavedAt }: LagInputs, now: Date): WorkerLag {
  const versions = versionsBehind(activeVersion, appliedVersion);
  // A worker that never applied anything is starting, not lagging.
  if (versions === null) return { versions: null, seconds: null, lagging: false };
  const seconds = versions === 0 ? 0 : nextVersionSavedAt ? Math.max(0, (now.getTime() - nextVersionSavedAt.getTime()) / 1000) : null;
  return { versions, seconds, lagging: versions > lagThresholds.versions || (seconds ?? 0) > lagThresholds.seconds };
}
