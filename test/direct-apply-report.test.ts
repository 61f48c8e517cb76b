import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLY_REPORT_DOCUMENT } from '../contract/apply-report-document.ts';
import { openHandshakenSocket } from './support/handshaken-socket.ts';
import { setUpReportingWorkers } from './support/reporting-workers.ts';
import { authorizationFor, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The agent's apply report is answered over graphql-ws without GraphQL's
 * execution (schema/report-worker-apply-direct.ts), and a plain graphql-ws
 * client cannot tell: for a success and for every refusal, the frames it
 * receives are byte for byte those of the same operation run through GraphQL
 * (the same document with one more space, which the direct path does not
 * know). The caller is read again for it (a revoked token is refused), and a
 * report re-sent is recorded once, whichever path carried it.
 */

const NORMAL = `${APPLY_REPORT_DOCUMENT} `;

/** A handshaken graphql-ws socket that runs one operation at a time: its frames, as text. */
async function openSocket(url: string, authorization: string) {
  const socket = await openHandshakenSocket(url, authorization);
  let next = 0;
  return {
    get closed() { return socket.closed === undefined ? undefined : { code: socket.closed }; },
    get localPort() { return socket.localPort; },
    whenClosed: socket.whenClosed,
    /** The frames answering one operation, up to its `complete` or `error`, or the close. */
    async run(query: string, variables: unknown): Promise<string[]> {
      const id = `op-${(next += 1)}`;
      const mine = () => socket.frames.filter((frame) => JSON.parse(frame).id === id);
      socket.send({ id, type: 'subscribe', payload: { query, variables } });
      await socket.until(() => socket.closed !== undefined || mine().some((frame) => ['complete', 'error'].includes(JSON.parse(frame).type)));
      // Each path runs in its own socket, so the ids are the same on both.
      return mine().map((frame) => frame.replace(`"${id}"`, '"op"'));
    },
    close: socket.close,
  };
}

describe('the apply report answered without GraphQL execution', () => {
  let t: TestApp;
  let token: string;
  let otherToken: string;
  let workerId: string;
  let otherWorkerId: string;
  let version: number;
  let savedAt: number;
  /** Which path each report took: the stack of the service call. */
  const calls: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    ({ token, otherToken, workerId, otherWorkerId, version, savedAt } = await setUpReportingWorkers(t, 'direct'));
    const workers = t.app.services.workers;
    // Which path recorded a report: the direct one records by id (recordApply), GraphQL's resolver the whole worker.
    const reportApply = workers.reportApply.bind(workers);
    workers.reportApply = (...args) => {
      calls.push(new Error().stack ?? '');
      return reportApply(...args);
    };
    const recordApply = workers.recordApply.bind(workers);
    workers.recordApply = (...args) => {
      calls.push(new Error().stack ?? '');
      return recordApply(...args);
    };
  });
  afterAll(() => t.close());

  const report = (overrides: Record<string, unknown> = {}) => ({
    input: {
      workerId, version, receivedAt: new Date(savedAt + 2).toISOString(), appliedAt: new Date(savedAt + 5).toISOString(), keys: ['CVN_SIGNAL_THRESHOLD_BUY'],
      ...overrides,
    },
  });

  /** The frames of `variables` sent as the agent's document, then through GraphQL, each on a fresh socket of `authorization`. */
  async function bothPaths(variables: unknown, authorization = `Bearer ${token}`) {
    const direct = await openSocket(t.url, authorization);
    const normal = await openSocket(t.url, authorization);
    try {
      calls.length = 0;
      const fast = await direct.run(APPLY_REPORT_DOCUMENT, variables);
      const directCalls = calls.splice(0);
      const plain = await normal.run(NORMAL, variables);
      const normalCalls = calls.splice(0);
      return { fast, plain, directCalls, normalCalls };
    } finally {
      direct.close();
      normal.close();
    }
  }

  /** The applies recorded for a worker (named by its global id). */
  const recorded = async (worker: string) => {
    const uuid = Buffer.from(worker, 'base64').toString().replace(/^Worker:/, '');
    return (await t.sql.query('SELECT version, latency_ms FROM worker_applies WHERE worker_id = $1 ORDER BY version', [uuid])).rows;
  };

  it('answers a report as GraphQL does, records it once however it was re-sent, with its latency', async () => {
    const { fast, plain, directCalls, normalCalls } = await bothPaths(report());
    // The first report went the direct way, its re-sending through GraphQL.
    expect(directCalls).toHaveLength(1);
    expect(directCalls[0]).toContain('report-worker-apply-direct');
    expect(normalCalls).toHaveLength(1);
    expect(normalCalls[0]).not.toContain('report-worker-apply-direct');
    expect(fast.map((frame) => JSON.parse(frame).type)).toEqual(['next', 'complete']);
    expect(JSON.parse(fast[0]!).payload).toEqual({ data: { reportWorkerApply: { id: expect.any(String) } } });
    expect(fast).toEqual(plain);
    expect(await recorded(workerId)).toEqual([{ version, latency_ms: 5 }]);
    // Re-sent the direct way too: still once.
    const again = await bothPaths(report());
    expect(again.fast).toEqual(fast);
    expect(again.plain).toEqual(fast);
    expect(await recorded(workerId)).toEqual([{ version, latency_ms: 5 }]);
    const worker = expectData(await t.gql(`query($id: ID!) { node(id: $id) { ... on Worker { appliedVersion } } }`, { id: JSON.parse(fast[0]!).payload.data.reportWorkerApply.id }, 'viewer')).node;
    expect(worker).toEqual({ appliedVersion: version });
  });

  it("writes an answer's next and complete to the socket at once (one system call, two frames)", async () => {
    const direct = await openSocket(t.url, `Bearer ${token}`);
    // The server's writes to this client's connection (the server runs in
    // this process): net.Socket hands the kernel one write or writev per call.
    const socket = net.Socket.prototype as unknown as Record<'_write' | '_writev', (this: net.Socket, ...args: unknown[]) => unknown>;
    const originals = { _write: socket._write, _writev: socket._writev };
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      socket[method] = function (this: net.Socket, ...args: unknown[]) {
        if (this.remotePort === direct.localPort) writes += 1;
        return originals[method].apply(this, args);
      };
    }
    try {
      const frames = await direct.run(APPLY_REPORT_DOCUMENT, report());
      expect(frames.map((frame) => JSON.parse(frame).type)).toEqual(['next', 'complete']);
      expect(writes).toBe(1);
    } finally {
      Object.assign(socket, originals);
      direct.close();
    }
  });

  it('reads DateTimes the agent does not write (an offset, more digits) as the scalar does', async () => {
    const at = new Date(savedAt + 5);
    const offset = new Date(at.getTime() + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    const { fast, plain, directCalls } = await bothPaths(report({ receivedAt: new Date(savedAt + 2).toISOString().replace('Z', '000Z'), appliedAt: offset }));
    expect(directCalls).toHaveLength(1);
    expect(JSON.parse(fast[0]!).payload.data.reportWorkerApply.id).toEqual(expect.any(String));
    expect(fast).toEqual(plain);
  });

  // Refused by the report's own checks (the service's, on both paths): the direct path answers them itself.
  const refusals: [string, () => Record<string, unknown>, string][] = [
    ['an unknown worker', () => ({ workerId: '6f1c2b9e-6b1f-4c8e-9d53-2f0d8a7b1c11' }), 'NOT_FOUND'],
    ['a malformed worker id', () => ({ workerId: 'not-a-worker' }), 'NOT_FOUND'],
    ['another token\'s worker', () => ({ workerId: otherWorkerId }), 'FORBIDDEN'],
    ['a version going back', () => ({ version: version - 1 }), 'CONFLICT'],
    ['a version that does not exist', () => ({ version: version + 50 }), 'BAD_REQUEST'],
    ['appliedAt before receivedAt', () => ({ appliedAt: new Date(savedAt).toISOString() }), 'BAD_REQUEST'],
    ['a key with a control character', () => ({ keys: ['A\u0001B'] }), 'BAD_REQUEST'],
  ];
  for (const [what, overrides, code] of refusals) {
    it(`refuses ${what} with the frames GraphQL sends (${code})`, async () => {
      const before = await recorded(workerId);
      const { fast, plain, directCalls } = await bothPaths(report(overrides()));
      expect(directCalls[0]).toContain('report-worker-apply-direct');
      expect(fast.map((frame) => JSON.parse(frame).type)).toEqual(['next', 'complete']);
      expect(JSON.parse(fast[0]!).payload.errors[0].extensions.code).toBe(code);
      expect(fast).toEqual(plain);
      expect(await recorded(workerId)).toEqual(before);
    });
  }

  // What GraphQL itself (or the schema's plugins) refuses is left to GraphQL on the agent's document too.
  const leftToGraphQL: [string, () => unknown, string][] = [
    ['a malformed DateTime', () => report({ receivedAt: 'yesterday' }), 'BAD_REQUEST'],
    ['a version as text', () => report({ version: String(version) }), 'BAD_REQUEST'],
    ['a version beyond Int', () => report({ version: 2 ** 31 }), 'BAD_REQUEST'],
    ['a field the input lacks', () => report({ extra: 1 }), 'BAD_REQUEST'],
    ['no keys', () => { const { input } = report(); const { keys: _keys, ...rest } = input; return { input: rest }; }, 'BAD_REQUEST'],
    ['a NUL in a key', () => report({ keys: ['A\u0000'] }), 'BAD_REQUEST'],
    ['more keys than a list takes', () => report({ keys: Array.from({ length: 1_001 }, (_, i) => `K${i}`) }), 'LIMIT_EXCEEDED'],
    ['no input', () => ({}), 'BAD_REQUEST'],
  ];
  for (const [what, variables, code] of leftToGraphQL) {
    it(`leaves ${what} to GraphQL (${code})`, async () => {
      const { fast, plain, directCalls } = await bothPaths(variables());
      expect(directCalls).toEqual([]);
      const payload = JSON.parse(fast[0]!).payload;
      expect((Array.isArray(payload) ? payload : payload.errors)[0].extensions.code).toBe(code);
      expect(fast).toEqual(plain);
    });
  }

  it('leaves a caller without a service token to GraphQL (FORBIDDEN)', async () => {
    const { fast, plain, directCalls } = await bothPaths(report(), authorizationFor('editor')!);
    expect(directCalls).toEqual([]);
    expect(JSON.parse(fast[0]!).payload.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(fast).toEqual(plain);
  });

  it('refuses a revoked token on its next report, and records nothing', async () => {
    const issued = expectData(await t.gql(`mutation { createServiceToken(input: { environment: "dev", name: "direct-3" }) { token serviceToken { id } } }`)).createServiceToken;
    const id = expectData(await t.gql(`mutation { registerWorker(input: { name: "direct-3", mode: PAPER, consumes: [] }) { id } }`, {}, { token: issued.token })).registerWorker.id;
    const socket = await openSocket(t.url, `Bearer ${issued.token}`);
    const ok = await socket.run(APPLY_REPORT_DOCUMENT, report({ workerId: id, version: version - 1 }));
    expect(JSON.parse(ok[0]!).payload.data.reportWorkerApply.id).toBe(id);
    expectData(await t.gql(`mutation($id: ID!) { revokeServiceToken(id: $id) { id } }`, { id: issued.serviceToken.id }));
    calls.length = 0;
    const refused = await socket.run(APPLY_REPORT_DOCUMENT, report({ workerId: id, version }));
    // Refused as the operation's error, or the socket already closed by the revocation's notice: never run.
    if (refused.length) expect(JSON.parse(refused[0]!)).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
    await socket.whenClosed();
    expect(socket.closed?.code).toBe(4401);
    expect(calls).toEqual([]);
    expect(await recorded(id)).toHaveLength(1);
  });
});
