/** The address of a run's PDF report (served by the API, server/http/run-report), optionally against a baseline run. */
export const reportHref = (id: string, baseline?: string) => `/runs/${encodeURIComponent(id)}/report.pdf${baseline ? `?baseline=${encodeURIComponent(baseline)}` : ''}`;
