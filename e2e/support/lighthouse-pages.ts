/** What the Lighthouse check has to hand: ids of things the audit history wrote. */
export interface LighthouseSeed {
  runId: string;
}

/** The console views Lighthouse checks at phone width (KPI 8), one entry per view. */
export const lighthousePages: { name: string; path: (seed: LighthouseSeed) => string }[] = [
  { name: 'dashboard', path: () => '/dashboard' },
  { name: 'audit', path: () => '/audit' },
  { name: 'rollback (version history)', path: () => '/history/dev' },
  { name: 'run list', path: () => '/runs' },
  { name: 'run page', path: ({ runId }) => `/runs/${encodeURIComponent(runId)}` },
];
