import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/start-test-app.ts';
import { wsClient } from './support/subscription-clients.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: 200 wrong admin passwords in a row, then the right one worked at
// once. The throttle's clock is the test's: blocks pass by moving it, not by
// waiting.

const second = 1_000;
const maxDelayMs = 60 * second;

describe('sign-in throttling', () => {
  let t: TestApp;
  let nowMs = Date.parse('2026-12-04T09:00:00Z');
  const advance = (ms: number) => { nowMs += ms; };

  beforeAll(async () => {
    t = await startTestApp({
      options: {
        trustProxy: true,
        signInThrottle: { now: () => new Date(nowMs), accountFreeFailures: 5, sourceFreeFailures: 20, baseDelayMs: second, maxDelayMs },
      },
    });
  });
  afterAll(() => t.close());

  /** POST /auth/session from `address` (the trusted proxy's X-Forwarded-For). */
  async function signIn(username: string, password: string, address: string) {
    const response = await fetch(`${t.url}/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.250, ${address}` },
      body: JSON.stringify({ username, password }),
    });
    const body = (await response.json()) as { error?: { code: string; retryAfterSeconds?: number } };
    if (response.status === 429) expect(response.headers.get('retry-after')).toBe(String(body.error?.retryAfterSeconds));
    return { status: response.status, code: body.error?.code, retryAfterSeconds: body.error?.retryAfterSeconds };
  }
  const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const audited = async () => (await t.sql.query(`SELECT details FROM audit_events WHERE action = 'sign_in_throttled' ORDER BY id`)).rows.map((r) => r.details);

  it('refuses the right password after 200 wrong ones until the backoff has passed, and audits each block', async () => {
    const codes = [];
    for (let i = 0; i < 200; i += 1) codes.push((await signIn('admin', `wrong-password-${i}`, '198.51.100.1')).code);
    // Five free failures, the sixth blocks; blocked attempts are refused unchecked and do not count.
    expect(codes.slice(0, 6)).toEqual(Array(6).fill('UNAUTHENTICATED'));
    expect(new Set(codes.slice(6))).toEqual(new Set(['RATE_LIMITED']));

    const refused = await signIn('admin', testPasswords.admin!, '198.51.100.1');
    expect(refused).toEqual({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    advance(second + 1);
    expect((await signIn('admin', testPasswords.admin!, '198.51.100.1')).status).toBe(200);

    const rows = await audited();
    expect(rows).toEqual([{ scope: 'account', username: 'admin', source: '198.51.100.1', failures: 6, blockedUntil: expect.any(String) }]);
    expect(JSON.stringify(rows)).not.toContain('wrong-password');
  });

  it('doubles the block with each failure past the free ones, up to the cap, and forgets after a success', async () => {
    const blocks: number[] = [];
    for (let i = 0; i < 5; i += 1) await signIn('editor', 'wrong-password', '198.51.100.2');
    for (let i = 0; i < 9; i += 1) {
      expect((await signIn('editor', 'wrong-password', '198.51.100.2')).code).toBe('UNAUTHENTICATED');
      const blocked = await signIn('editor', testPasswords.editor!, '198.51.100.2');
      expect(blocked.code).toBe('RATE_LIMITED');
      blocks.push(blocked.retryAfterSeconds!);
      advance(blocked.retryAfterSeconds! * second);
    }
    expect(blocks).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect((await signIn('editor', testPasswords.editor!, '198.51.100.2')).status).toBe(200);
    // The success cleared the account's count: five free failures again.
    for (let i = 0; i < 5; i += 1) expect((await signIn('editor', 'wrong-password', '198.51.100.2')).code).toBe('UNAUTHENTICATED');
    expect((await signIn('editor', 'wrong-password', '198.51.100.2')).code).toBe('UNAUTHENTICATED');
    // Blocked again, except where the editor just signed in (see the test of known addresses).
    expect((await signIn('editor', testPasswords.editor!, '198.51.100.5')).code).toBe('RATE_LIMITED');
    expect((await signIn('editor', testPasswords.editor!, '198.51.100.2')).status).toBe(200);
    advance(maxDelayMs);
  });

  it('throttles one address spraying many accounts, without locking those accounts for anyone else', async () => {
    for (let i = 0; i < 20; i += 1) expect((await signIn(`nobody.${i}`, 'guess-password', '198.51.100.3')).code).toBe('UNAUTHENTICATED');
    expect((await signIn('nobody.20', 'guess-password', '198.51.100.3')).code).toBe('UNAUTHENTICATED');
    // The address is blocked, even for a real account with its right password...
    expect((await signIn('viewer', testPasswords.viewer!, '198.51.100.3')).code).toBe('RATE_LIMITED');
    // ...which signs in from anywhere else.
    expect((await signIn('viewer', testPasswords.viewer!, '198.51.100.4')).status).toBe(200);
    const sprayed = (await audited()).filter((row) => row.source === '198.51.100.3');
    expect(sprayed).toEqual([{ scope: 'source', username: null, source: '198.51.100.3', failures: 21, blockedUntil: expect.any(String) }]);
    advance(maxDelayMs);
  });

  it('an attack on an account from elsewhere cannot keep its owner out where they signed in before', async () => {
    expect((await signIn('approver', testPasswords.approver!, '198.51.100.10')).status).toBe(200);
    for (let i = 0; i < 6; i += 1) await signIn('approver', 'wrong-password', '198.51.100.66');
    expect((await signIn('approver', testPasswords.approver!, '198.51.100.67')).code).toBe('RATE_LIMITED');
    expect((await signIn('approver', testPasswords.approver!, '198.51.100.10')).status).toBe(200);
    advance(maxDelayMs);
  });

  it('throttles HTTP Basic on /graphql and on the WebSocket handshake too', async () => {
    const viaGraphql = (password: string) => fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic('viewer', password), 'x-forwarded-for': '198.51.100.20' },
      body: JSON.stringify({ query: '{ viewer { name } }' }),
    });
    for (let i = 0; i < 6; i += 1) expect((await viaGraphql('wrong-password')).status).toBe(401);
    const refused = await viaGraphql(testPasswords.viewer!);
    expect(refused.status).toBe(429);
    expect((await refused.json()).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });

    // The socket's handshake is refused as retryable (1013): the block ends.
    const closed = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no close within 5 s')), 5_000);
      const client = wsClient(t.url, { authorization: basic('viewer', testPasswords.viewer!) }, {
        lazy: true,
        on: { closed: (event) => { clearTimeout(timer); resolve((event as { code: number }).code); } },
      });
      client.subscribe({ query: '{ viewer { name } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    expect(closed).toBe(1013);
    advance(second + 1);
    expect((await viaGraphql(testPasswords.viewer!)).status).toBe(200);
  });
});
