import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

/**
 * The platform's own token for a process it starts (npm start's reference
 * worker): issued and revoked by the access service, like an admin's, with
 * the same audit rows.
 */
describe('system tokens (access service)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const whoAmI = (token: string) => t.gql(`{ viewer { kind name environment } }`, {}, { token });

  it('replaces the live token of its name at each start: the old one is refused from then on', async () => {
    const { access } = t.app.services;
    const first = await access.replaceSystemToken({ environment: 'dev', name: 'reference-paper-worker', actor: 'system:npm-start' });
    expect(expectData(await whoAmI(first.token)).viewer).toEqual({ kind: 'service', name: 'reference-paper-worker', environment: 'dev' });

    const second = await access.replaceSystemToken({ environment: 'dev', name: 'reference-paper-worker', actor: 'system:npm-start' });
    expect(errorCode(await whoAmI(first.token))).toBe('UNAUTHENTICATED');
    expect(expectData(await whoAmI(second.token)).viewer.kind).toBe('service');

    const tokens = expectData(await t.gql(`{ serviceTokens(environment: "dev", includeRevoked: true) { id name revoked createdBy { username } } }`)).serviceTokens;
    expect(tokens).toEqual([
      { id: expect.any(String), name: 'reference-paper-worker', revoked: false, createdBy: { username: 'admin' } },
      { id: expect.any(String), name: 'reference-paper-worker', revoked: true, createdBy: { username: 'admin' } },
    ]);

    const audit = await t.sql.query<{ action: string; actor: string; subject_id: string }>(
      `SELECT action, actor, subject_id FROM audit_events WHERE action LIKE 'service_token_%' ORDER BY id`,
    );
    expect(audit.rows).toEqual([
      { action: 'service_token_created', actor: 'system:npm-start', subject_id: first.serviceToken.id },
      { action: 'service_token_revoked', actor: 'system:npm-start', subject_id: first.serviceToken.id },
      { action: 'service_token_created', actor: 'system:npm-start', subject_id: second.serviceToken.id },
    ]);
    // Only the hash is stored: the secret appears in no row.
    const stored = await t.sql.query(`SELECT token_hash FROM service_tokens WHERE token_hash = $1 OR token_hash = $2`, [first.token, second.token]);
    expect(stored.rows).toEqual([]);
  });

  it('refuses an unknown environment as NOT_FOUND', async () => {
    await expect(t.app.services.access.replaceSystemToken({ environment: 'nowhere', name: 'reference-paper-worker', actor: 'system:npm-start' }))
      .rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
