// What the agent tells the server's worker registry, in order: an older
// applied version must never overwrite a newer one. Reports ride the stream's
// socket while it is up (authenticated once, no request set-up per report),
// go over HTTP while it is down, and are retried a few times on a network
// failure; the server records an apply once however often it is reported.
import { wait, waitBackoff, type RetryOptions } from '../../contract/backoff.ts';
import type { ApplyReportMessage, StatusReportMessage } from '../../contract/protocol.ts';
import { ApiError } from './errors.ts';
import type { GraphQLHttp } from './graphql-http.ts';
import type { AgentLog } from './logger.ts';
import { REPORT_APPLY, REPORT_STATUS, type StatusReportResult } from './wire-documents.ts';

/** Attempts per report: a pooled keep-alive connection to a restarted server fails once, then works. */
const REPORT_ATTEMPTS = 4;

export interface ReporterOptions {
  http: GraphQLHttp;
  /** The stream's socket, when it is up; undefined sends over HTTP. */
  socket(): Pick<GraphQLHttp, 'request'> | undefined;
  /** An apply report leaves after a random delay of up to this many ms (0: at once). */
  applyReportJitterMs: number;
  retry: RetryOptions;
  /** Aborted when the agent closes: jitter and backoff end at once, a failed report is not retried twice. */
  signal: AbortSignal;
  log: AgentLog;
  /** The environment's active version, as a status report's answer told it. */
  onActiveVersion(active: number): void;
}

export interface Reporter {
  /** Queues a status report (heartbeat and state); resolves when it was sent or given up. */
  status(input: StatusReportMessage): Promise<void>;
  /** Queues an apply report after its jitter delay; it carries the agent's own timestamps. */
  apply(input: ApplyReportMessage): Promise<void>;
  /** Queues the final STOPPED status, over HTTP (a socket request would reopen the closing client). */
  stopped(input: StatusReportMessage): Promise<void>;
  /** Resolves when every report queued so far was sent or given up. */
  drained(): Promise<void>;
}

export function createReporter({ http, socket, applyReportJitterMs, retry, signal, log, onActiveVersion }: ReporterOptions): Reporter {
  let reports: Promise<void> = Promise.resolve();
  const route = (): Pick<GraphQLHttp, 'request'> => (signal.aborted ? undefined : socket()) ?? http;

  const enqueue = (what: string, send: () => Promise<unknown>, jitterMs = 0) => {
    reports = reports.then(async () => {
      // Reports leave after the current I/O turn at the earliest: an apply
      // callback (and the other work of this turn) never waits on a request.
      if (jitterMs > 0 && !signal.aborted) await wait(Math.random() * jitterMs, signal);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      // A network failure (e.g. a pooled keep-alive connection to a restarted
      // server) or a server whose database is briefly away (UNAVAILABLE) is
      // retried a few times; an API refusal is not.
      for (let attempt = 0; ; attempt += 1) {
        try {
          await send();
          return;
        } catch (error) {
          if ((error instanceof ApiError && !error.retryable) || attempt >= REPORT_ATTEMPTS - 1 || (signal.aborted && attempt > 0)) {
            log('warn', 'runtime_agent_report_failed', { report: what, attempts: attempt + 1, err: String(error) });
            return;
          }
          await waitBackoff(attempt, retry, signal); // closing does not wait out a backoff
        }
      }
    });
    return reports;
  };

  return {
    status: (input) => enqueue('status', async () => {
      const data = await route().request<StatusReportResult>(REPORT_STATUS, { input });
      onActiveVersion(data.reportWorkerStatus.environment.activeVersion);
    }),
    apply: (input) => enqueue('apply', () => route().request(REPORT_APPLY, { input }), applyReportJitterMs),
    stopped: (input) => enqueue('stopped', () => http.request(REPORT_STATUS, { input })),
    drained: () => reports,
  };
}
