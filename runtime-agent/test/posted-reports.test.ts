import { describe, expect, it } from 'vitest';
import type { ApplyReportMessage } from '../../contract/protocol.ts';
import { ApiError } from '../src/errors.ts';
import { createPostedReports } from '../src/posted-reports.ts';

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
