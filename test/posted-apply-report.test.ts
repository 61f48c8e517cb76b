import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_REPORT_DOCUMENT } from '../contract/apply-report-document.ts';
import { maxPostedInFlight } from '../server/http/posted-operations.ts';
import { openHandshakenSocket } from './support/handshaken-socket.ts';
import { setUpReportingWorkers } from './support/reporting-workers.ts';
import { authorizationFor, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The agent posts its apply report over graphql-ws as an unsolicited pong
 * (contract/apply-report-document.ts): recorded as the mutation would record
 * it, answered only when refused (with the mutation's codes), and the
 * socket's next ping or operation is handled only once it is recorded, so a
 * ping's pong confirms it and a later report keeps its order.
 */

type Frame = { id?: string; type: string; payload?: any };

/** A handshaken graphql-ws socket that posts reports, pings and runs operations: its frames, parsed. */
async function openSocket(url: string, authorization: string) {
  const socket = await openHandshakenSocket(url, authorization);
  const frames = () => socket.frames.map((frame) => JSON.parse(frame) as Frame);
  let next = 0;
  return {
    get frames() { return frames(); },
    ack: socket.ack === undefined ? undefined : JSON.parse(socket.ack) as Frame,
    get closed() { return socket.closed; },
    post(ref: unknown, input: unknown) {
      socket.send({ type: 'pong', payload: { applyReport: { ref, input } } });
    },
    /** Sends a ping; resolves with what arrived before its pong, and what `onPong` read the moment it came. */
    async ping(onPong?: () => unknown): Promise<{ before: Frame[]; atPong: unknown }> {
      const from = socket.frames.length;
      let atPong: unknown;
      let seen = false;
      socket.send({ type: 'ping' });
      const index = () => frames().findIndex((frame, i) => i >= from && frame.type === 'pong' && !frame.payload);
      await socket.until(() => {
        if (!seen && index() >= 0) {
          seen = true;
          atPong = onPong?.();
        }
        return seen;
      }, 'pong');
      return { before: frames().slice(from, index()), atPong: await atPong };
    },
    async run(query: string, variables: unknown): Promise<Frame[]> {
      const id = `op-${(next += 1)}`;
      socket.send({ id, type: 'subscribe', payload: { query, variables } });
      await socket.until(() => socket.closed !== undefined || frames().some((frame) => frame.id === id && ['complete', 'error'].includes(frame.type)), `answer to ${id}`);
      return frames().filter((frame) => frame.id === id);
    },
    whenClosed: socket.whenClosed,
    close: socket.close,
  };
}

describe('apply reports posted as graphql-ws pongs', () => {
  let t: TestApp;
  let token: string;
  let otherToken: string;
  let workerId: string;
  let otherWorkerId: string;
  let version: number;
  let savedAt: number;

  beforeAll(async () => {
    t = await startTestApp();
    ({ token, otherToken, workerId, otherWorkerId, version, savedAt } = await setUpReportingWorkers(t, 'posted'));
  });
  afterAll(() => t.close());

  const input = (overrides: Record<string, unknown> = {}) => ({
    workerId, version, receivedAt: new Date(savedAt + 2).toISOString(), appliedAt: new Date(savedAt + 7).toISOString(), keys: ['CVN_SIGNAL_THRESHOLD_BUY'],
    ...overrides,
  });
  const uuidOf = (id: string) => Buffer.from(id, 'base64').toString().replace(/^Worker:/, '');
  const recorded = async (worker: string) => (await t.sql.query('SELECT version, latency_ms FROM worker_applies WHERE worker_id = $1 ORDER BY version', [uuidOf(worker)])).rows;

  it('records a posted report without answering it; the pong of the next ping comes once it is recorded', async () => {
    const socket = await openSocket(t.url, `Bearer ${token}`);
    try {
      // The handshake says reports may be posted (an older server's ack has no payload).
      expect(socket.ack).toEqual({ type: 'connection_ack', payload: { postedReports: true } });
      socket.post(1, input());
      const { before, atPong } = await socket.ping(() => recorded(workerId));
      expect(before).toEqual([]); // no next, no complete, no refusal
      expect(atPong).toEqual([{ version, latency_ms: 7 }]);
      // Posted again (a report re-sent after its socket closed): still once.
      socket.post(2, input());
      await socket.ping();
      expect(await recorded(workerId)).toEqual([{ version, latency_ms: 7 }]);
      expect(socket.frames.filter((frame) => frame.type !== 'pong')).toEqual([]);
    } finally {
      socket.close();
    }
  });

  // The codes the mutation answers with, for the same input.
  const refusals: [string, () => Record<string, unknown>, string][] = [
    ['an unknown worker', () => input({ workerId: '6f1c2b9e-6b1f-4c8e-9d53-2f0d8a7b1c11' }), 'NOT_FOUND'],
    ['another token\'s worker', () => input({ workerId: otherWorkerId }), 'FORBIDDEN'],
    ['a version going back', () => input({ version: 1 }), 'CONFLICT'],
    ['a version that does not exist', () => input({ version: version + 50 }), 'BAD_REQUEST'],
    ['appliedAt before receivedAt', () => input({ appliedAt: new Date(savedAt).toISOString() }), 'BAD_REQUEST'],
    ['a field GraphQL does not know (refused by GraphQL itself)', () => ({ ...input(), extra: 1 }), 'BAD_REQUEST'],
    ['a version that is not an Int', () => input({ version: 'two' }), 'BAD_REQUEST'],
  ];
  for (const [name, make, code] of refusals) {
    it(`refuses ${name} with a pong naming the report (${code}), as the mutation does, and records nothing`, async () => {
      const socket = await openSocket(t.url, `Bearer ${token}`);
      const before = await t.sql.query('SELECT worker_id, version FROM worker_applies ORDER BY 1, 2');
      try {
        const mutation = await socket.run(`${APPLY_REPORT_DOCUMENT} `, { input: make() });
        socket.post(41, make());
        const { before: answer } = await socket.ping();
        expect(answer).toHaveLength(1);
        const refusal = answer[0]!;
        expect(refusal.type).toBe('pong');
        expect(refusal.payload.applyReportRefused.ref).toBe(41);
        const [error] = refusal.payload.applyReportRefused.errors;
        expect(error.extensions.code).toBe(code);
        expect(error.message).toEqual(expect.any(String));
        expect(JSON.stringify(refusal)).not.toMatch(/at .*\.ts:\d+/); // no stack
        // The mutation over the same socket: the same code.
        const mutationError = mutation.find((frame) => frame.type === 'next')?.payload?.errors?.[0] ?? mutation.find((frame) => frame.type === 'error')?.payload?.[0];
        expect(mutationError?.extensions?.code).toBe(code);
        expect((await t.sql.query('SELECT worker_id, version FROM worker_applies ORDER BY 1, 2')).rows).toEqual(before.rows);
      } finally {
        socket.close();
      }
    });
  }

  it('refuses a post without its ref, and a person posting a report (FORBIDDEN: a service token reports)', async () => {
    const service = await openSocket(t.url, `Bearer ${token}`);
    const person = await openSocket(t.url, authorizationFor('editor')!);
    try {
      service.post('one', input());
      const { before: noRef } = await service.ping();
      expect(noRef.map((frame) => frame.payload.applyReportRefused)).toEqual([{ ref: null, errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_REQUEST' }) })] }]);
      if (person.closed === undefined) {
        person.post(3, input());
        const { before: refused } = await person.ping();
        expect(refused[0]?.payload.applyReportRefused.errors[0].extensions.code).toBe('FORBIDDEN');
      }
    } finally {
      service.close();
      person.close();
    }
  });

  it(`handles at most ${maxPostedInFlight} posted reports of one socket at once: the rest are refused (RATE_LIMITED) and recorded nowhere`, async () => {
    const socket = await openSocket(t.url, `Bearer ${token}`);
    try {
      // The same report again and again (recorded once already): in flight together.
      for (let ref = 1; ref <= maxPostedInFlight + 6; ref += 1) socket.post(ref, input());
      const { before } = await socket.ping();
      const refused = before.map((frame) => frame.payload.applyReportRefused);
      expect(refused.length).toBeGreaterThanOrEqual(1);
      for (const refusal of refused) expect(refusal.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(Math.min(...refused.map((refusal) => refusal.ref))).toBeGreaterThan(maxPostedInFlight);
    } finally {
      socket.close();
    }
  });

  it('runs a posted report with the caller as they are now: a revoked token is refused and the socket closed', async () => {
    const revocable = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "posted-revoked" }) { serviceToken { id } token } }`)).createServiceToken;
    const worker = expectData(await t.gql(`mutation { registerWorker(input: { name: "posted-revoked", mode: PAPER, consumes: ["CVN_SIGNAL_THRESHOLD_BUY"] }) { id } }`, {}, { token: revocable.token })).registerWorker.id as string;
    const socket = await openSocket(t.url, `Bearer ${revocable.token}`);
    try {
      expectData(await t.gql(`mutation($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id: revocable.serviceToken.id }));
      socket.post(1, input({ workerId: worker }));
      await socket.whenClosed();
      expect(socket.closed).toBe(4401);
      expect(await recorded(worker)).toEqual([]);
    } finally {
      socket.close();
    }
  });
  it('handles an operation sent after a posted report only once the report is recorded', async () => {
    const second = expectData(await t.gql(`mutation($v: Int!) { updateConfig(input: { environment: "dev", expectedVersion: $v, reason: "posted order", changes: [{ name: "CVN_SIGNAL_THRESHOLD_BUY", value: "0.62" }] }) { version { version } } }`, { v: version }, 'editor')).updateConfig.version.version as number;
    const socket = await openSocket(t.url, `Bearer ${token}`);
    try {
      socket.post(1, input({ version: second }));
      // A status report right behind it, as the agent's queue sends them: it
      // sees the apply already recorded (its gather window is 50 ms).
      const frames = await socket.run(`query($id: ID!) { node(id: $id) { ... on Worker { appliedVersion } } }`, { id: workerId });
      expect(frames[0]?.payload).toEqual({ data: { node: { appliedVersion: second } } });
    } finally {
      socket.close();
    }
  });
});
