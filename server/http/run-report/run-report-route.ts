import type { IncomingMessage, ServerResponse } from 'node:http';
import { actorName, type Authenticator } from '../../auth/index.ts';
import { badRequest, findAppError, unauthenticated } from '../../errors/index.ts';
import type { Reads } from '../../reads.ts';
import { sendError } from '../send-error.ts';
import { readRunReport } from './run-report-content.ts';

/** /runs/<id>/report.pdf: the id is the run's uuid or the global id the API hands out. */
const reportPath = /^\/runs\/([^/]+)\/report\.pdf$/;

export const isRunReportPath = (path: string) => reportPath.test(path);

/** The run's uuid behind a Relay global id ("Run:<uuid>" in base64); anything else as given (then not found). */
function runKey(raw: string): string {
  const decoded = Buffer.from(raw, 'base64').toString('utf8');
  return decoded.startsWith('Run:') ? decoded.slice(4) : raw;
}

/** How long generating the last report took (a Server-Timing entry the tests and the timing figure read). */
const timing = (startedAt: bigint) => `render;dur=${(Number(process.hrtime.bigint() - startedAt) / 1e6).toFixed(1)}`;

/**
 * A run's PDF report, generated on request. The same credentials as GraphQL
 * (the console's session cookie, Basic, a service token) with the caller's
 * current privileges: any signed-in reader may download it; a run absent to
 * the caller (another environment's, for a token) and an unknown baseline
 * answer NOT_FOUND like compareRuns. Reads through the read models only.
 */
export async function handleRunReportRoute(
  req: IncomingMessage,
  res: ServerResponse,
  { authenticator, reads, clientAddress }: { authenticator: Authenticator; reads: Pick<Reads, 'runs' | 'parameterSets'>; clientAddress?: string | null },
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://report');
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, badRequest(`Use GET on ${url.pathname}.`), { status: 405, headers: { allow: 'GET, HEAD' } });
    const viewer = await authenticator.authenticate({ authorization: req.headers.authorization, cookie: req.headers.cookie, csrfExempt: true, clientAddress });
    if (!viewer) throw unauthenticated('Sign in (or send credentials) to download a run report.');
    const id = runKey(decodeURIComponent(reportPath.exec(url.pathname)![1]!));
    const baselineParam = url.searchParams.get('baseline');
    if (baselineParam !== null && baselineParam.trim() === '') throw badRequest('baseline names no run: give a run id or leave it out.', { field: 'baseline' });
    const startedAt = process.hrtime.bigint();
    const content = await readRunReport(reads, viewer, id, baselineParam === null ? null : runKey(baselineParam.trim()));
    // pdfkit and its font tables (several MB resident) load on the first report, not with every server.
    const { renderRunReport } = await import('./render-run-report.ts');
    const pdf = await renderRunReport(content, { generatedBy: actorName(viewer) });
    const filename = `run-${content.title.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 80) || 'report'}.pdf`;
    res.writeHead(200, {
      'content-type': 'application/pdf',
      'content-length': String(pdf.length),
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'private, no-store',
      'server-timing': timing(startedAt),
    });
    res.end(req.method === 'HEAD' ? undefined : pdf);
  } catch (error) {
    // Faults go up to the server's handler, which logs them before masking.
    if (!findAppError(error)) throw error;
    return sendError(res, error);
  }
}
