import { expectData, type TestApp, type TestUser } from './start-test-app.ts';

// A platform with history for the dashboards to show, made through the API
// (tokens, workers, saves, a restore, an approval, a rejection, apply
// reports), with raw SQL only to move part of the history hours back.

const UPDATE = `mutation($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version } changeRequest { id revision } } }`;
const REGISTER = `mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`;
const APPLY = `mutation($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { appliedVersion } }`;
const RESTORE = `mutation($input: RestoreConfigInput!) { restoreConfigVersion(input: $input) { version { version } } }`;
const review = (verb: 'approve' | 'reject') => `mutation($input: ReviewChangeRequestInput!) { ${verb}ChangeRequest(input: $input) { __typename } }`;

export interface GrafanaFixture {
  /** A read-only token of every environment (created without one). */
  everyEnvironment: string;
  /** A token of dev only. */
  devReader: string;
  /** dev's versions: after each edit (by its value), and the restore. */
  versions: { '0.61': number; '0.62': number; '0.63': number; restored: number };
}

/**
 * dev: paper-a applies three edits and a restore of the first; paper-b only
 * the first edit, which is moved three hours back (so paper-b has lagged for
 * hours), the second two hours back. prod: live-a applies an edit; a critical
 * change is approved, another rejected. staging: nothing but its seed.
 */
export async function seedGrafanaFixture(t: TestApp): Promise<GrafanaFixture> {
  const token = async (environment: string | null, name: string) =>
    expectData(await t.gql(`mutation($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { ...(environment ? { environment } : {}), name } })).createServiceToken.token as string;
  const everyEnvironment = await token(null, 'grafana');
  const devReader = await token('dev', 'grafana-dev');
  const owners = { dev: await token('dev', 'dev-workers'), prod: await token('prod', 'prod-workers') };
  const ids = new Map<string, string>();
  for (const [name, consumes, environment] of [['paper-a', ['CVN_SIGNAL_THRESHOLD_BUY', 'CVN_ATR_PERIOD'], 'dev'], ['paper-b', ['CVN_SIGNAL_THRESHOLD_BUY'], 'dev'], ['live-a', ['CVN_SIGNAL_THRESHOLD_BUY'], 'prod']] as const) {
    ids.set(name, expectData(await t.gql(REGISTER, { input: { name, mode: 'PAPER', consumes } }, { token: owners[environment] })).registerWorker.id);
  }
  const apply = async (worker: string, version: number, environment: 'dev' | 'prod') => {
    const now = new Date().toISOString();
    expectData(await t.gql(APPLY, { input: { workerId: ids.get(worker), version, receivedAt: now, appliedAt: now, keys: ['CVN_SIGNAL_THRESHOLD_BUY'] } }, { token: owners[environment] }));
  };
  const save = async (environment: string, changes: { name: string; value: string }[], { as = 'editor' as TestUser, submitForApproval = false } = {}) => {
    const { activeVersion } = expectData(await t.gql(`query($e: String!) { environment(name: $e) { activeVersion } }`, { e: environment })).environment;
    return expectData(await t.gql(UPDATE, { input: { environment, expectedVersion: activeVersion, reason: `grafana test ${changes[0]!.value}`, changes, submitForApproval } }, as)).updateConfig;
  };

  const edits: Record<string, number> = {};
  for (const value of ['0.61', '0.62', '0.63']) {
    const version = (await save('dev', [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value }])).version.version as number;
    await apply('paper-a', version, 'dev');
    if (value === '0.61') await apply('paper-b', version, 'dev');
    edits[value] = version;
  }
  const restored = expectData(await t.gql(RESTORE, {
    input: { environment: 'dev', expectedVersion: edits['0.63'], version: edits['0.61'], reason: 'grafana test rollback' },
  }, 'editor')).restoreConfigVersion.version.version as number;
  await apply('paper-a', restored, 'dev');

  await apply('live-a', (await save('prod', [{ name: 'CVN_SIGNAL_THRESHOLD_BUY', value: '0.58' }])).version.version, 'prod');
  const approved = (await save('prod', [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '4' }], { submitForApproval: true })).changeRequest;
  expectData(await t.gql(review('approve'), { input: { id: approved.id, revision: approved.revision, comment: 'ok' } }, 'approver'));
  const rejected = (await save('prod', [{ name: 'CVN_RISK_MAX_OPEN_POSITIONS', value: '9' }], { submitForApproval: true })).changeRequest;
  expectData(await t.gql(review('reject'), { input: { id: rejected.id, revision: rejected.revision, comment: 'too many' } }, 'approver'));

  // History is append-only (triggers); replica mode skips them for this session only.
  const dev = `(SELECT id FROM environments WHERE name = 'dev')`;
  await t.sql.query(`SET session_replication_role = replica`);
  try {
    for (const [version, hours, workers] of [[edits['0.61']!, 3, ['paper-a', 'paper-b']], [edits['0.62']!, 2, ['paper-a']]] as const) {
      await t.sql.query(`UPDATE config_versions SET created_at = created_at - make_interval(hours => $2) WHERE version = $1 AND environment_id = ${dev}`, [version, hours]);
      await t.sql.query(
        `UPDATE worker_applies SET applied_at = applied_at - make_interval(hours => $2), received_at = received_at - make_interval(hours => $2)
         WHERE version = $1 AND worker_id IN (SELECT id FROM workers WHERE environment_id = ${dev} AND name = ANY($3))`,
        [version, hours, workers],
      );
    }
  } finally {
    await t.sql.query(`SET session_replication_role = origin`);
  }
  return { everyEnvironment, devReader, versions: { '0.61': edits['0.61']!, '0.62': edits['0.62']!, '0.63': edits['0.63']!, restored } };
}
