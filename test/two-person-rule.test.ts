import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';
import { testPasswords } from './support/test-passwords.ts';

// Issue 9: one admin satisfied the two-person rule alone (created an APPROVER
// account, signed in as it, approved their own critical change). The rule
// counts people: an approval is refused when one person could act as both
// accounts (README, Access).

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome changeRequest { id revision } } }`;
const APPROVE = `mutation($input: ReviewChangeRequestInput!) { approveChangeRequest(input: $input) { version approver { username } } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { id role } }`;
const UPDATE_USER = `mutation($input: UpdateUserInput!) { updateUser(input: $input) { id role } }`;
const SET_PASSWORD = `mutation($input: SetPasswordInput!) { setPassword(input: $input) { id } }`;

const basicOf = (username: string, password: string): TestUser => ({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });

describe('two people, not two accounts', () => {
  let t: TestApp;
  let counter = 0;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const activeVersion = async () => (await t.sql.query(`SELECT active_version FROM environments WHERE name = 'prod'`)).rows[0].active_version as number;
  /** A critical change on prod, submitted for approval by `as`. */
  async function submit(as: TestUser) {
    counter += 1;
    const result = expectData(await t.gql(UPDATE, {
      input: { environment: 'prod', expectedVersion: await activeVersion(), reason: `critical ${counter}`, submitForApproval: true, changes: [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: String(3 + counter) }] },
    }, as)).updateConfig;
    expect(result.outcome).toBe('PENDING_APPROVAL');
    return result.changeRequest as { id: string; revision: number };
  }
  const approve = (request: { id: string; revision: number }, as: TestUser) => t.gql(APPROVE, { input: { id: request.id, revision: request.revision, comment: 'looks fine' } }, as);
  const statusOf = async (request: { id: string }) =>
    expectData(await t.gql(`query($id: ID!) { node(id: $id) { ... on ChangeRequest { status } } }`, { id: request.id })).node.status;
  /** A user created by `by` (an admin), who then signs in as shown. */
  async function createUser(username: string, role: string, by: TestUser = 'admin') {
    const password = `${username}-first-password`;
    const { id } = expectData(await t.gql(CREATE_USER, { input: { username, displayName: username, role, password } }, by)).createUser;
    return { id, username, password, as: basicOf(username, password) };
  }
  /** The user changes the password they were given, as one must before anyone confirms them. */
  async function changeOwnPassword(user: { username: string; password: string; as: TestUser }) {
    const next = `${user.username}-own-password`;
    expectData(await t.gql(SET_PASSWORD, { input: { currentPassword: user.password, newPassword: next } }, user.as));
    user.password = next;
    user.as = basicOf(user.username, next);
  }

  it('refuses the attack from the issue: an admin\'s own APPROVER account approving the admin\'s critical change', async () => {
    const shadow = await createUser('shadow.approver', 'APPROVER');
    // It is an approver, and signs in; changing its password does not make it someone else.
    expect(expectData(await t.gql('{ viewer { name role } }', {}, shadow.as)).viewer).toEqual({ name: 'shadow.approver', role: 'APPROVER' });
    await changeOwnPassword(shadow);
    const request = await submit('admin');
    const before = await activeVersion();
    const refused = await approve(request, shadow.as);
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toMatch(/One person could act as both admin and shadow\.approver/);
    expect(await activeVersion()).toBe(before);
    expect(await statusOf(request)).toBe('PENDING');
    // The seeded approver, a second person, can.
    expect(expectData(await approve(request, 'approver')).approveChangeRequest.approver.username).toBe('approver');
  });

  it('refuses an admin approving a change made through an account the admin created', async () => {
    const puppet = await createUser('puppet.editor', 'EDITOR');
    const request = await submit(puppet.as);
    expect(errorCode(await approve(request, 'admin'))).toBe('FORBIDDEN');
    expect(await statusOf(request)).toBe('PENDING');
  });

  it('refuses two accounts the same admin set up approving each other', async () => {
    const author = await createUser('puppet.author', 'EDITOR');
    const approver = await createUser('puppet.approver', 'APPROVER');
    const request = await submit(author.as);
    expect(errorCode(await approve(request, approver.as))).toBe('FORBIDDEN');
  });

  it('counts an account as its own person once an independent admin or approver confirms it (updateUser with its role)', async () => {
    const carol = await createUser('carol.approver', 'APPROVER');
    const alice = await createUser('alice.editor', 'EDITOR');
    expect(errorCode(await approve(await submit('admin'), carol.as))).toBe('FORBIDDEN');
    // An editor or viewer cannot confirm; nobody confirms a password someone else set.
    expect(await confirm(carol.id, 'APPROVER', 'editor')).toBe('FORBIDDEN');
    expect(await confirm(carol.id, 'APPROVER', 'viewer')).toBe('FORBIDDEN');
    expect(await confirm(carol.id, 'APPROVER', 'approver')).toBe('FORBIDDEN');
    await changeOwnPassword(carol);
    // Not the admin who set it, not carol herself, not another admin that admin set up.
    expect(await confirm(carol.id, 'APPROVER', 'admin')).toBe('FORBIDDEN');
    expect(await confirm(carol.id, 'APPROVER', carol.as)).toBe('FORBIDDEN');
    const dave = await createUser('dave.admin', 'ADMIN');
    expect(await confirm(carol.id, 'APPROVER', dave.as)).toBe('FORBIDDEN');
    expect((await t.sql.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'user_confirmed'`)).rows[0].n).toBe(0);

    // The seeded approver, whom nobody else holds, can.
    expect(await confirm(carol.id, 'APPROVER', 'approver')).toBe('OK');
    const audit = await t.sql.query(`SELECT actor, details->>'username' AS username FROM audit_events WHERE action = 'user_confirmed'`);
    expect(audit.rows).toEqual([{ actor: 'approver', username: 'carol.approver' }]);
    // Now carol is a second person for the admin, and for what the admin's accounts author.
    expect(expectData(await approve(await submit('admin'), carol.as)).approveChangeRequest.approver.username).toBe('carol.approver');
    expect(expectData(await approve(await submit(alice.as), carol.as)).approveChangeRequest.approver.username).toBe('carol.approver');
  });

  it('refuses an approval by an account whose password the author reset, even after it changed it back', async () => {
    expectData(await t.gql(SET_PASSWORD, { input: { id: await idOf('approver'), newPassword: 'admin-knows-this-one' } }, 'admin'));
    const taken = basicOf('approver', 'admin-knows-this-one');
    expect(errorCode(await approve(await submit('admin'), taken))).toBe('FORBIDDEN');
    // Through an account the admin set up, too.
    const puppet = await createUser('puppet.two', 'EDITOR');
    expect(errorCode(await approve(await submit(puppet.as), taken))).toBe('FORBIDDEN');
    // A self-change alone does not clear it: whoever knew the old password could have made it.
    expectData(await t.gql(SET_PASSWORD, { input: { currentPassword: 'admin-knows-this-one', newPassword: testPasswords.approver } }, taken));
    expect(errorCode(await approve(await submit('admin'), 'approver'))).toBe('FORBIDDEN');
    // The seeded editor is nobody's account: the approver still approves what it submits.
    expect(expectData(await approve(await submit('editor'), 'approver')).approveChangeRequest.approver.username).toBe('approver');
  });

  async function idOf(username: string): Promise<string> {
    const users = expectData(await t.gql('{ users { id username } }')).users as { id: string; username: string }[];
    return users.find((u) => u.username === username)!.id;
  }
  async function confirm(id: string, role: string, as: TestUser): Promise<string | undefined> {
    const response = await t.gql(UPDATE_USER, { input: { id, role } }, as);
    return errorCode(response) ?? 'OK';
  }
});
