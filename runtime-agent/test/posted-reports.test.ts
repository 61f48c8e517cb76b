import { describe, expect, it, vi } from 'vitest';
import type { ApplyReportMessage } from '../../contract/protocol.ts';
import { ApiError } from '../src/errors.ts';
import { createPostedReports } from '../src/posted-reports.ts';
import { createReporter } from '../src/reporter.ts';

// The agent's side of posted apply reports (posted-reports.ts), against a
// socket that records what it sends: the server's side is
// test/posted-apply-report.test.ts.

const report = (version: number): ApplyReportMessage => ({
  workerId: 'w', version, receivedAt: '2026-12-03T10:00:00.000Z', appliedAt: '2026-12-03T10:00:00.001Z', keys: ['A'],
});

function setUp() {
  const sent: any[] = [];
  const socket = { readyState: 1, send: (data: string) => sent.push(JSON.parse(data)) };
  const lost: ApplyReportMessage[][] = [];
  const refused: [ApplyReportMessage, unknown][] = [];
  const posted = createPostedReports({ onLost: (inputs) => lost.push(inputs), onRefused: (input, error) => refused.push([input, error]) });
  return { sent, socket, lost, refused, posted };
}

describe('posted apply reports (agent side)', () => {
  it('posts nothing without an acknowledged open socket', () => {
    const { posted, socket, sent } = setUp();
    expect(posted.post(report(1))).toBe(false);
    posted.attach({ ...socket, readyState: 3 });
    expect(posted.post(report(1))).toBe(false);
    expect(sent).toEqual([]);
  });

  it('holds a report until the pong of a ping sent after it; a ping sent before it confirms nothing of it', async () => {
    const { posted, socket, sent, lost } = setUp();
    posted.attach(socket);
    expect(posted.post(report(1))).toBe(true);
    expect(sent).toEqual([{ type: 'pong', payload: { applyReport: { ref: 1, input: report(1) } } }]);
    posted.pingSent(); // graphql-ws's keep-alive: covers ref 1
    posted.post(report(2));
    posted.pongReceived(undefined); // answers the ping: ref 1 confirmed, ref 2 not
    let done = false;
    const confirmed = posted.confirmed().then(() => { done = true; });
    expect(sent.at(-1)).toEqual({ type: 'ping' }); // asked for the round trip at once
    await Promise.resolve();
    expect(done).toBe(false);
    posted.pongReceived(undefined);
    await confirmed;
    posted.closed();
    expect(lost).toEqual([]); // nothing held any more
  });

  it('asks for the round trip itself a while after a post (once for the reports posted meanwhile), without waiting for the keep-alive', () => {
    vi.useFakeTimers();
    try {
      const { posted, socket, sent } = setUp();
      posted.attach(socket);
      posted.post(report(1));
      posted.post(report(2));
      vi.advanceTimersByTime(4_999);
      expect(sent.filter((message) => message.type === 'ping')).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(sent.filter((message) => message.type === 'ping')).toEqual([{ type: 'ping' }]);
      posted.pongReceived(undefined);
      vi.advanceTimersByTime(10_000);
      expect(sent.filter((message) => message.type === 'ping')).toHaveLength(1); // nothing held: no more pings
    } finally {
      vi.useRealTimers();
    }
  });

  it('hands back every unconfirmed report, in posting order, when the socket closes', async () => {
    const { posted, socket, lost } = setUp();
    posted.attach(socket);
    posted.post(report(1));
    posted.post(report(2));
    posted.pingSent();
    const confirmed = posted.confirmed();
    posted.closed();
    await confirmed;
    expect(lost).toEqual([[report(1), report(2)]]);
    expect(posted.post(report(3))).toBe(false); // detached until the next acknowledged socket
  });

  it('a refusal names its report: it is refused with the server\'s code and no longer held', async () => {
    const { posted, socket, lost, refused } = setUp();
    posted.attach(socket);
    posted.post(report(1));
    posted.post(report(2));
    posted.pongReceived({ applyReportRefused: { ref: 2, errors: [{ message: 'the database is away', extensions: { code: 'UNAVAILABLE' } }] } });
    expect(refused).toHaveLength(1);
    expect(refused[0]![0]).toEqual(report(2));
    expect(refused[0]![1]).toBeInstanceOf(ApiError);
    expect((refused[0]![1] as ApiError).apiCode).toBe('UNAVAILABLE');
    expect((refused[0]![1] as ApiError).retryable).toBe(true);
    posted.closed();
    expect(lost).toEqual([[report(1)]]);
  });
});

describe('the reporter with posted apply reports', () => {
  const unavailable = new ApiError('API_ERROR', 'the database is away', 'UNAVAILABLE');
  const forbidden = new ApiError('FORBIDDEN', 'another token\'s worker', 'FORBIDDEN', true);

  function setUpReporter() {
    const posts: ApplyReportMessage[] = [];
    const httpCalls: unknown[] = [];
    const warnings: Record<string, unknown>[] = [];
    let up = true;
    const reporter = createReporter({
      http: { request: async (_query: string, variables?: Record<string, unknown>) => { httpCalls.push(variables); return {} as never; } } as never,
      socket: () => (up ? { request: async () => ({}) as never, post: (input: ApplyReportMessage) => { posts.push(input); return true; } } : undefined),
      confirmed: () => undefined,
      applyReportJitterMs: 0,
      retry: { baseMs: 1, maxMs: 2 },
      signal: new AbortController().signal,
      log: (level, event, fields) => { if (level === 'warn') warnings.push({ event, ...fields }); },
      onActiveVersion: () => {},
    });
    return { reporter, posts, httpCalls, warnings, down: () => { up = false; } };
  }

  it('posts a report passingly refused (UNAVAILABLE) again with backoff, at most four times in all, then logs it', async () => {
    const { reporter, posts, warnings } = setUpReporter();
    await reporter.apply(report(5));
    for (let refused = 1; refused <= 4; refused += 1) {
      expect(posts).toHaveLength(refused);
      reporter.refused(posts.at(-1)!, unavailable);
      await reporter.drained();
    }
    expect(posts).toHaveLength(4);
    expect(warnings).toEqual([expect.objectContaining({ event: 'runtime_agent_report_failed', report: 'apply', attempts: 4 })]);
  });

  it('logs a final refusal at once, and sends lost reports again first, over HTTP while the socket is down', async () => {
    const { reporter, posts, httpCalls, warnings, down } = setUpReporter();
    await reporter.apply(report(6));
    reporter.refused(posts[0]!, forbidden);
    expect(warnings).toEqual([expect.objectContaining({ event: 'runtime_agent_report_failed', attempts: 1 })]);
    await reporter.apply(report(7));
    down();
    reporter.lost([report(7)]);
    await reporter.apply(report(8));
    await reporter.drained();
    expect(httpCalls).toEqual([{ input: report(7) }, { input: report(8) }]);
  });
});
