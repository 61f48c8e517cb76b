// What the agent tells the server's worker registry, in order: an older
// applied version must never overwrite a newer one. Reports ride the stream's
// socket while it is up (authenticated once, no request set-up per report;
// an apply report posted as a pong, answered only if refused:
// posted-reports.ts), go over HTTP while it is down, and are retried a few
// times on a network failure; the server records an apply once however
// often it is reported.
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
  socket(): (Pick<GraphQLHttp, 'request'> & { post(input: ApplyReportMessage): boolean }) | undefined;
  /** Resolves once the reports posted so far are confirmed, refused or lost (agent-connection.ts). */
  confirmed(): Promise<void> | undefined;
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
  /** Resolves when every report queued so far was recorded (a posted one confirmed) or given up. */
  drained(): Promise<void>;
  /** Posted apply reports whose socket closed before they were confirmed: sent again, ahead of later reports. */
  lost(inputs: ApplyReportMessage[]): void;
  /** A posted apply report the server refused: retried when the refusal is passing (UNAVAILABLE), logged otherwise. */
  refused(input: ApplyReportMessage, error: unknown): void;
}

export function createReporter({ http, socket, confirmed, applyReportJitterMs, retry, signal, log, onActiveVersion }: ReporterOptions): Reporter {
  let reports: Promise<void> = Promise.resolve();
  const route = (): Pick<GraphQLHttp, 'request'> => (signal.aborted ? undefined : socket()) ?? http;
  /** Apply reports to send again (a lost or passingly refused post), ahead of everything queued after them. */
  const again: { input: ApplyReportMessage; attempt: number }[] = [];
  /** How often each posted report was refused (a passing refusal is posted again, up to REPORT_ATTEMPTS in all). */
  const refusals = new WeakMap<ApplyReportMessage, number>();

  /** Sends once; a network failure or a passing refusal is retried from `attempt` on, an API refusal is not. */
  async function deliver(what: string, send: () => Promise<unknown>, attempt = 0): Promise<void> {
    for (; ; attempt += 1) {
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
  }

  /** An apply report: posted on the socket while it is up (confirmed later), else a mutation. */
  const sendApply = async (input: ApplyReportMessage) => {
    const link = signal.aborted ? undefined : socket();
    if (link?.post(input)) return;
    await (link ?? http).request(REPORT_APPLY, { input });
  };

  async function sendAgain(): Promise<void> {
    while (again.length > 0) {
      const { input, attempt } = again[0]!;
      if (attempt > 0) await waitBackoff(attempt - 1, retry, signal);
      await deliver('apply', () => sendApply(input), attempt);
      again.shift();
    }
  }

  const enqueue = (what: string, send: () => Promise<unknown>, jitterMs = 0) => {
    reports = reports.then(async () => {
      // Reports leave after the current I/O turn at the earliest: an apply
      // callback (and the other work of this turn) never waits on a request.
      if (jitterMs > 0 && !signal.aborted) await wait(Math.random() * jitterMs, signal);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      // Reports to send again go first: the server sees applies in order.
      await sendAgain();
      await deliver(what, send);
    });
    return reports;
  };

  return {
    status: (input) => enqueue('status', async () => {
      const data = await route().request<StatusReportResult>(REPORT_STATUS, { input });
      onActiveVersion(data.reportWorkerStatus.environment.activeVersion);
    }),
    apply: (input) => enqueue('apply', () => sendApply(input), applyReportJitterMs),
    stopped: (input) => enqueue('stopped', () => http.request(REPORT_STATUS, { input })),
    async drained() {
      // Until nothing is queued, posted unconfirmed or waiting to be sent again.
      for (;;) {
        const queued = reports;
        await queued;
        await confirmed();
        if (queued === reports && again.length === 0) return;
        if (queued === reports) await enqueue('apply', async () => {});
      }
    },
    lost(inputs) {
      again.push(...inputs.map((input) => ({ input, attempt: 0 })));
      void enqueue('apply', async () => {});
    },
    refused(input, error) {
      // Refused again after being posted again: the attempts add up across posts.
      const attempts = (refusals.get(input) ?? 0) + 1;
      refusals.set(input, attempts);
      if (error instanceof ApiError && error.retryable && !signal.aborted && attempts < REPORT_ATTEMPTS) {
        again.push({ input, attempt: attempts });
        void enqueue('apply', async () => {});
        return;
      }
      log('warn', 'runtime_agent_report_failed', { report: 'apply', attempts, err: String(error) });
    },
  };
}
