import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type GraphQLResponse, type TestApp, type TestUser } from './support/start-test-app.ts';

const WINDOW_FIELDS = 'id environment { name } startsAt endsAt reason createdBy { username } createdAt cancelledAt active';
const CREATE = `mutation ($input: CreateFreezeWindowInput!) { createFreezeWindow(input: $input) { ${WINDOW_FIELDS} } }`;
const CANCEL = `mutation ($input: CancelFreezeWindowInput!) { cancelFreezeWindow(input: $input) { ${WINDOW_FIELDS} } }`;
const ENVIRONMENT = `query ($n: String!) { environment(name: $n) { activeVersion activeFreezeWindow { id reason } freezeWindows { id startsAt active } } }`;
const UPDATE_CONFIG = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } } }`;

const HOUR = 3_600_000;
// Explicit instants around the test's own clock: no waiting for a window to open or close.
const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

describe('freeze windows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const create = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(CREATE, { input: { reason: 'release freeze', ...input } }, as);
  const cancel = (input: Record<string, unknown>, as: TestUser = 'admin') => t.gql(CANCEL, { input: { reason: 'release moved', ...input } }, as);
  const environment = async (name: string) => expectData(await t.gql(ENVIRONMENT, { n: name })).environment;
  const updateConfig = async (env: string, value: string): Promise<GraphQLResponse> =>
    t.gql(UPDATE_CONFIG, {
      input: { environment: env, expectedVersion: (await environment(env)).activeVersion, reason: 'test write', changes: [{ name: 'CVN_ATR_PERIOD', value }] },
    }, 'editor');
  const rowCounts = async () => (await t.sql.query(`SELECT
      (SELECT count(*) FROM freeze_windows)::int AS windows,
      (SELECT count(*) FROM freeze_windows WHERE cancelled_at IS NOT NULL)::int AS cancelled,
      (SELECT count(*) FROM audit_events)::int AS audit,
      (SELECT count(*) FROM config_versions)::int AS versions`)).rows[0];
  const localId = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').replace('FreezeWindow:', '');

  describe('an open window', () => {
    let windowId: string;

    it('is created by an admin, audited, and shown on the environment', async () => {
      const startsAt = at(-HOUR);
      const endsAt = at(2 * HOUR);
      const window = expectData(await create({ environment: 'staging', startsAt, endsAt, reason: ' exchange migration ' })).createFreezeWindow;
      windowId = window.id;
      expect(window).toMatchObject({
        environment: { name: 'staging' }, startsAt, endsAt, reason: 'exchange migration', createdBy: { username: 'admin' }, cancelledAt: null, active: true,
      });
      const env = await environment('staging');
      expect(env.activeFreezeWindow).toEqual({ id: window.id, reason: 'exchange migration' });
      expect(env.freezeWindows).toEqual([{ id: window.id, startsAt, active: true }]);
      expect((await environment('dev')).activeFreezeWindow).toBeNull();
      // The console's banner reads it from the environment list too.
      const list = expectData(await t.gql(`{ environments { name activeFreezeWindow { id } freezeWindows { id } } }`, {}, 'viewer')).environments;
      expect(list).toEqual([
        { name: 'dev', activeFreezeWindow: null, freezeWindows: [] },
        { name: 'staging', activeFreezeWindow: { id: window.id }, freezeWindows: [{ id: window.id }] },
        { name: 'prod', activeFreezeWindow: null, freezeWindows: [] },
      ]);
      const audit = await t.sql.query(`SELECT action, actor, reason, e.name AS environment FROM audit_events a JOIN environments e ON e.id = a.environment_id WHERE subject_id = $1`, [localId(window.id)]);
      expect(audit.rows).toEqual([{ action: 'freeze_window_created', actor: 'admin', reason: 'exchange migration', environment: 'staging' }]);
    });

    it('makes updateConfig fail with FROZEN and write nothing; other environments still save', async () => {
      const counts = await rowCounts();
      const response = await updateConfig('staging', '21');
      expect(errorCode(response)).toBe('FROZEN');
      expect(response.errors![0]!.message).toMatch(/^staging is frozen until .*: exchange migration$/);
      expect(await rowCounts()).toEqual(counts);
      expect(expectData(await updateConfig('dev', '21')).updateConfig.outcome).toBe('APPLIED');
    });

    it('is cancelled by an admin (kept on record, audited), after which saves go through again', async () => {
      const cancelled = expectData(await cancel({ id: windowId, reason: 'migration postponed' })).cancelFreezeWindow;
      expect(cancelled).toMatchObject({ id: windowId, active: false, cancelledAt: expect.any(String) });
      const env = await environment('staging');
      expect(env.activeFreezeWindow).toBeNull();
      expect(env.freezeWindows).toEqual([]);
      const audit = await t.sql.query(`SELECT action, actor, reason FROM audit_events WHERE subject_id = $1 ORDER BY id`, [localId(windowId)]);
      expect(audit.rows.map((r) => r.action)).toEqual(['freeze_window_created', 'freeze_window_cancelled']);
      expect(audit.rows[1]).toMatchObject({ actor: 'admin', reason: 'migration postponed' });
      expect(expectData(await updateConfig('staging', '21')).updateConfig.outcome).toBe('APPLIED');
    });

    it('cannot be cancelled twice (CONFLICT)', async () => {
      const counts = await rowCounts();
      const response = await cancel({ id: windowId });
      expect(errorCode(response)).toBe('CONFLICT');
      expect(response.errors![0]!.message).toMatch(/already cancelled/);
      expect(await rowCounts()).toEqual(counts);
    });
  });

  it('a future window is listed but does not block saves yet', async () => {
    const startsAt = at(24 * HOUR);
    const window = expectData(await create({ environment: 'prod', startsAt, endsAt: at(26 * HOUR), reason: 'quarter close' })).createFreezeWindow;
    expect(window.active).toBe(false);
    const env = await environment('prod');
    expect(env.activeFreezeWindow).toBeNull();
    expect(env.freezeWindows).toEqual([{ id: window.id, startsAt, active: false }]);
    expect(expectData(await updateConfig('prod', '22')).updateConfig.outcome).toBe('APPLIED');
  });

  it('an ended window is history: hidden from the environment and not cancellable', async () => {
    // The API refuses to create a window in the past, so this one is written as last week's would have been.
    const { rows: [{ id }] } = await t.sql.query(
      `INSERT INTO freeze_windows (id, environment_id, starts_at, ends_at, reason, created_by_id)
       SELECT gen_random_uuid(), e.id, now() - interval '3 hours', now() - interval '1 hour', 'last week', u.id FROM environments e, users u
       WHERE e.name = 'dev' AND u.username = 'admin' RETURNING id::text`,
    );
    expect((await environment('dev')).freezeWindows).toEqual([]);
    const counts = await rowCounts();
    const response = await cancel({ id });
    expect(errorCode(response)).toBe('CONFLICT');
    expect(response.errors![0]!.message).toMatch(/already ended/);
    expect(await rowCounts()).toEqual(counts);
  });

  describe('refusals', () => {
    const invalid: [string, Record<string, unknown>, string, RegExp][] = [
      ['a window that has already ended', { startsAt: at(-3 * HOUR), endsAt: at(-HOUR) }, 'VALIDATION_FAILED', /already be over/],
      ['a window ending before it starts', { startsAt: at(3 * HOUR), endsAt: at(2 * HOUR) }, 'VALIDATION_FAILED', /ends after it starts/],
      ['a window ending as it starts', { startsAt: at(3 * HOUR), endsAt: at(3 * HOUR) }, 'VALIDATION_FAILED', /ends after it starts/],
      ['an empty reason', { startsAt: at(HOUR), endsAt: at(2 * HOUR), reason: '  ' }, 'VALIDATION_FAILED', /Give a reason/],
      ['an unknown environment', { environment: 'qa', startsAt: at(HOUR), endsAt: at(2 * HOUR) }, 'NOT_FOUND', /Environment qa does not exist/],
    ];

    it.each(invalid)('refuses %s and writes nothing', async (_what, input, code, message) => {
      const counts = await rowCounts();
      const response = await create({ environment: 'prod', ...input });
      expect(errorCode(response)).toBe(code);
      expect(response.errors![0]!.message).toMatch(message);
      expect(await rowCounts()).toEqual(counts);
    });

    it('names the field of a bad time in the violation', async () => {
      const response = await create({ environment: 'prod', startsAt: at(-3 * HOUR), endsAt: at(-HOUR) });
      expect(response.errors![0]!.extensions!.violations).toEqual([expect.objectContaining({ code: 'OUT_OF_RANGE', field: 'endsAt' })]);
    });

    it('answers NOT_FOUND when cancelling an unknown window', async () => {
      expect(errorCode(await cancel({ id: '00000000-0000-0000-0000-000000000000' }))).toBe('NOT_FOUND');
      expect(errorCode(await cancel({ id: 'nope' }))).toBe('NOT_FOUND');
    });

    it('is for admins: FORBIDDEN for an editor or approver, UNAUTHENTICATED without credentials', async () => {
      const counts = await rowCounts();
      const input = { environment: 'prod', startsAt: at(HOUR), endsAt: at(2 * HOUR) };
      for (const as of ['editor', 'approver'] as const) expect(errorCode(await create(input, as))).toBe('FORBIDDEN');
      expect(errorCode(await create(input, null))).toBe('UNAUTHENTICATED');
      const { freezeWindows: [pending] } = await environment('prod');
      expect(errorCode(await cancel({ id: pending.id }, 'editor'))).toBe('FORBIDDEN');
      expect(errorCode(await cancel({ id: pending.id }, null))).toBe('UNAUTHENTICATED');
      expect(await rowCounts()).toEqual(counts);
    });
  });
});
