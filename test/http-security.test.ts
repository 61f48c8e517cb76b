import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleFallback } from '../server/http/serve-console.ts';
import { readSettings, secureCookiesOf } from '../server/settings.ts';
import { startTestApp, type TestApp } from './support/start-test-app.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: CORS reflected any Origin with credentials; API answers lacked
// nosniff and no-store; GraphiQL had no CSP; the console allowed any ws:
// host; cookies were never Secure and HSTS never sent behind HTTPS.

const basic = (username: string) => `Basic ${Buffer.from(`${username}:${testPasswords[username]}`).toString('base64')}`;
const allowedOrigin = 'https://desk.example';

describe('HTTP security headers and CORS', () => {
  let t: TestApp;
  let consoleDir: string;
  beforeAll(async () => {
    consoleDir = await mkdtemp(path.join(tmpdir(), 'ucp-console-'));
    await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
    t = await startTestApp({ options: { corsOrigins: [allowedOrigin], trustProxy: true, fallback: createConsoleFallback({ dir: consoleDir }) } });
  });
  afterAll(async () => {
    await t.close();
    await rm(consoleDir, { recursive: true, force: true });
  });

  const query = (headers: Record<string, string>) => fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: basic('viewer'), ...headers },
    body: JSON.stringify({ query: '{ viewer { name } }' }),
  });

  describe('CORS: configured origins only', () => {
    it('answers a configured origin with its own origin and credentials', async () => {
      const response = await query({ origin: allowedOrigin });
      expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      const preflight = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: allowedOrigin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    });

    it('gives a foreign origin no CORS header at all, on a request or a preflight', async () => {
      for (const origin of ['https://evil.example', 'null', `${allowedOrigin}.evil.example`]) {
        const response = await query({ origin });
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
        const preflight = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
        expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('allows only the server\'s own origin by default (CORS_ORIGINS unset)', async () => {
      const plain = await startTestApp({ db: t.db });
      try {
        const response = await fetch(`${plain.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: basic('viewer'), origin: allowedOrigin },
          body: JSON.stringify({ query: '{ viewer { name } }' }),
        });
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await plain.close();
      }
    });

    it('reads CORS_ORIGINS as a comma-separated list of origins, refusing anything else', () => {
      expect(readSettings({ CORS_ORIGINS: 'https://a.example, https://b.example:8443' }).CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example:8443']);
      expect(readSettings({}).CORS_ORIGINS).toEqual([]);
      expect(() => readSettings({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(/CORS_ORIGINS/);
    });
  });

  describe('API answers', () => {
    it('carry nosniff and no-store on GraphQL, the session route and health', async () => {
      const answers = [
        await query({}),
        await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'viewer', password: testPasswords.viewer }) }),
        await fetch(`${t.url}/auth/session`),
        await fetch(`${t.url}/healthz`),
        await fetch(`${t.url}/nothing-here`, { headers: { accept: 'application/json' } }),
      ];
      for (const response of answers) {
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('cache-control')).toBe('no-store');
      }
    });
  });

  describe('GraphiQL', () => {
    it('is served with a CSP that names each of its inline scripts by hash, and nothing inline else', async () => {
      const response = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html', authorization: basic('viewer') } });
      expect(response.status).toBe(200);
      const html = await response.text();
      const csp = response.headers.get('content-security-policy')!;
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      const scriptSrc = directives.get('script-src')!;
      expect(scriptSrc).toContain("'self'");
      expect(scriptSrc).not.toContain("'unsafe-inline'");
      expect(scriptSrc).not.toContain("'unsafe-eval'");
      const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => m[1]!).filter(Boolean);
      expect(inline.length).toBeGreaterThan(0);
      for (const script of inline) expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(script).digest('base64')}'`);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('the console', () => {
    it('may connect to its own origin only (no ws: to any host)', async () => {
      const response = await fetch(`${t.url}/`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy')!;
      const connect = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src'));
      expect(connect).toBe("connect-src 'self'");
    });
  });

  describe('over HTTPS', () => {
    const signIn = (headers: Record<string, string>, url = t.url) => fetch(`${url}/auth/session`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username: 'viewer', password: testPasswords.viewer }),
    });

    it('sets Secure cookies and HSTS when the trusted proxy says the request came over HTTPS', async () => {
      const response = await signIn({ 'x-forwarded-proto': 'https' });
      expect(response.status).toBe(200);
      const cookies = response.headers.getSetCookie();
      expect(cookies).toHaveLength(2);
      for (const cookie of cookies) expect(cookie).toMatch(/;\s*Secure/i);
      expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
      expect((await fetch(`${t.url}/healthz`, { headers: { 'x-forwarded-proto': 'https' } })).headers.get('strict-transport-security')).not.toBeNull();
    });

    it('sets neither over plain HTTP, nor when an untrusted client merely claims HTTPS', async () => {
      const plainHttp = await signIn({});
      for (const cookie of plainHttp.headers.getSetCookie()) expect(cookie).not.toMatch(/Secure/i);
      expect(plainHttp.headers.get('strict-transport-security')).toBeNull();
      const untrusted = await startTestApp({ db: t.db });
      try {
        const claimed = await signIn({ 'x-forwarded-proto': 'https' }, untrusted.url);
        for (const cookie of claimed.headers.getSetCookie()) expect(cookie).not.toMatch(/Secure/i);
        expect(claimed.headers.get('strict-transport-security')).toBeNull();
      } finally {
        await untrusted.close();
      }
    });

    it('is secure by default in production, and as SECURE_COOKIES says otherwise', async () => {
      expect(secureCookiesOf(readSettings({}))).toBe('auto');
      expect(secureCookiesOf(readSettings({ NODE_ENV: 'production' }))).toBe(true);
      expect(secureCookiesOf(readSettings({ NODE_ENV: 'production', SECURE_COOKIES: 'false' }))).toBe(false);
      expect(secureCookiesOf(readSettings({ SECURE_COOKIES: 'true' }))).toBe(true);
      const forced = await startTestApp({ db: t.db, options: { secureCookies: true } });
      try {
        const response = await signIn({}, forced.url);
        for (const cookie of response.headers.getSetCookie()) expect(cookie).toMatch(/;\s*Secure/i);
        expect(response.headers.get('strict-transport-security')).not.toBeNull();
      } finally {
        await forced.close();
      }
    });
  });
});
