// Apply reports posted on the graphql-ws socket as pongs
// (contract/apply-report-document.ts): the server answers only a refusal,
// so a posted report is held here until a round trip confirms it (graphql-ws's
// keep-alive ping, or one asked for a couple of seconds after a post).
// The server answers a `ping` only once every report posted before it is
// recorded or refused; a report still held when its socket closes is handed
// back to be sent again (the server records a version once however often it
// is reported).
import { APPLY_REPORT_POSTED, APPLY_REPORT_REFUSED, type PostedApplyReport, type RefusedApplyReport } from '../../contract/apply-report-document.ts';
import type { ApplyReportMessage } from '../../contract/protocol.ts';
import { unwrapGraphQLResult } from './unwrap-graphql-result.ts';

/** The socket as the tracker needs it: open, and able to send a text message. */
export interface PostingSocket {
  readonly readyState: number;
  send(data: string): void;
}

export interface PostedReportsOptions {
  /** Reports whose socket closed before a round trip confirmed them, in the order they were posted. */
  onLost(inputs: ApplyReportMessage[]): void;
  /** A report the server refused (an ApiError with the server's code). */
  onRefused(input: ApplyReportMessage, error: unknown): void;
  /**
   * How long a posted report waits for graphql-ws's keep-alive to confirm it
   * before a ping asks for it (default 5 s, half the keep-alive period): what
   * a closing socket hands back stays the last seconds' reports, for a ping
   * every few seconds of saves.
   */
  confirmAfterMs?: number;
}

export interface PostedReports {
  /** The acknowledged socket reports may now be posted on (undefined: none). */
  attach(socket: PostingSocket | undefined): void;
  /** Posts `input` on the attached socket; false when there is none to post on. */
  post(input: ApplyReportMessage): boolean;
  /** graphql-ws sent its keep-alive ping: the reports posted so far are confirmed by its pong. */
  pingSent(): void;
  /** A pong arrived: a refusal (its report is refused) or a ping's answer (its reports are confirmed). */
  pongReceived(payload: unknown): void;
  /** The socket closed: every report not confirmed is lost (onLost). */
  closed(): void;
  /** Resolves once every report posted so far is confirmed, refused or lost (pinging for it when needed). */
  confirmed(): Promise<void>;
}

const OPEN = 1;

export function createPostedReports({ onLost, onRefused, confirmAfterMs = 5_000 }: PostedReportsOptions): PostedReports {
  let socket: PostingSocket | undefined;
  let nextRef = 1;
  /** Posted and not yet confirmed, in posting order. */
  let held: { ref: number; input: ApplyReportMessage }[] = [];
  /** Per ping in flight, the newest ref posted before it (pongs answer pings in order). */
  const pings: number[] = [];
  let waiters: (() => void)[] = [];
  let confirmTimer: NodeJS.Timeout | undefined;

  /** Asks for a round trip now: its pong confirms every report posted so far. */
  const ping = () => {
    if (!socket || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify({ type: 'ping' }));
    pings.push(nextRef - 1);
  };

  const settle = () => {
    if (held.length > 0) return;
    const done = waiters;
    waiters = [];
    for (const resolve of done) resolve();
  };

  return {
    attach(next) {
      socket = next;
    },
    post(input) {
      if (!socket || socket.readyState !== OPEN) return false;
      const ref = nextRef++;
      const message: PostedApplyReport = { ref, input };
      socket.send(JSON.stringify({ type: 'pong', payload: { [APPLY_REPORT_POSTED]: message } }));
      held.push({ ref, input });
      if (!confirmTimer) {
        confirmTimer = setTimeout(() => {
          confirmTimer = undefined;
          if (held.length > 0 && (pings.at(-1) ?? 0) < (held.at(-1)?.ref ?? 0)) ping();
        }, confirmAfterMs);
        confirmTimer.unref?.();
      }
      return true;
    },
    pingSent() {
      pings.push(nextRef - 1);
    },
    pongReceived(payload) {
      const refusal = (payload as Record<string, RefusedApplyReport> | undefined)?.[APPLY_REPORT_REFUSED];
      if (refusal) {
        const index = held.findIndex((report) => report.ref === refusal.ref);
        if (index < 0) return;
        const [report] = held.splice(index, 1);
        try {
          unwrapGraphQLResult({ errors: refusal.errors });
        } catch (error) {
          onRefused(report!.input, error);
        }
        settle();
        return;
      }
      const upTo = pings.shift();
      if (upTo === undefined) return;
      held = held.filter((report) => report.ref > upTo);
      settle();
    },
    closed() {
      clearTimeout(confirmTimer);
      confirmTimer = undefined;
      socket = undefined;
      pings.length = 0;
      const lost = held.map((report) => report.input);
      held = [];
      if (lost.length > 0) onLost(lost);
      settle();
    },
    confirmed() {
      if (held.length === 0) return Promise.resolve();
      const waiting = new Promise<void>((resolve) => waiters.push(resolve));
      // No keep-alive ping may be due for seconds: ask for the round trip now.
      ping();
      return waiting;
    },
  };
}
