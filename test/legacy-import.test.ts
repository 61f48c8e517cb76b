import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLegacyCommand } from '../scripts/import-legacy-command.ts';
import type { LegacyImportReport } from '../server/features/legacy-import/index.ts';
import {
  authors, changedAt, createLegacyDatabase, deprecatedRows, legacySnapshotAt, outOfBoundsRows, type LegacyDatabase,
} from './support/legacy-database.ts';
import { errorCode, expectData, startTestApp, type TestApp } from './support/start-test-app.ts';

// Issue 12, the cut-over: npm run import:legacy against a legacy database
// built in the real PostgreSQL server (test/support/legacy-database.ts).

const historyRows = 300;
const legacyRuns = 40;

describe('importing the legacy configuration (npm run import:legacy)', () => {
  let t: TestApp;
  let legacy: LegacyDatabase;
  let broken: LegacyDatabase;
  let dir: string;

  const command = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await importLegacyCommand(argv, {
      env: { MIGRATION_DATABASE_URL: t.db.url, LOG_LEVEL: 'silent' },
      out: (s) => { out += s; },
      err: (s) => { err += s; },
    });
    return { code, out, err, report: out.startsWith('{') ? JSON.parse(out) as LegacyImportReport : undefined };
  };
  const counts = async () => (await t.sql.query(`SELECT
      (SELECT count(*) FROM config_versions)::int AS versions, (SELECT count(*) FROM runs)::int AS runs,
      (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM legacy_imports)::int AS imports,
      (SELECT count(*) FROM variable_catalog)::int AS catalog, (SELECT count(*) FROM audit_events)::int AS audit,
      (SELECT count(*) FROM parameter_sets)::int AS sets, (SELECT count(*) FROM environments)::int AS environments`)).rows[0];

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'ucp-legacy-'));
    // The realistic legacy database; its current row carries a value today's bounds refuse (500 > 200).
    legacy = await createLegacyDatabase({ historyRows, runs: legacyRuns, currentOverrides: { CVN_ATR_PERIOD: '500' } });
    // A small one with a key that can never be a catalog name.
    broken = await createLegacyDatabase({ historyRows: 5, runs: 2, extraKeys: { ftf_notes: 'kept by hand' } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await legacy?.drop();
    await broken?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('dry run: reports keys, unknown keys with proposals, refused values, rows and runs, fails the superset check on unknown keys, writes nothing', async () => {
    const before = await counts();
    const started = performance.now();
    const { code, report } = await command('--source', legacy.url, '--environment', 'ftf', '--dry-run', '--json', '--proposals-out', path.join(dir, 'proposals.json'));
    console.log(`dry run of ${historyRows} history rows and ${legacyRuns} runs: ${Math.round(performance.now() - started)} ms`);
    expect(code).toBe(1);
    expect(await counts()).toEqual(before);
    const r = report!;
    expect(r.mode).toBe('dry-run');
    expect(r.environmentExists).toBe(false);
    expect(r.absentColumns).toEqual(['ftf_config.updated_by']);
    expect(r.keysFound).toEqual(Object.keys(legacySnapshotAt(1)).sort());
    expect(r.unknownKeys.map((k) => [k.name, k.proposal?.type, k.willCreate])).toEqual([
      ['CVN_LEGACY_MAX_SPREAD_BPS', 'INT', false],
      ['CVN_LEGACY_WARMUP_MODE', 'ENUM', false],
    ]);
    expect(r.unknownKeys[0]!.proposal).toMatchObject({ minValue: 20, maxValue: 24, required: true, hotReloadable: false, critical: false });
    expect(r.unknownKeys[1]!.proposal).toMatchObject({ allowedValues: ['fast', 'slow'] });
    // The #673 envelope, in the history stretch and in the runs started under it, with the catalog's reason.
    const envelope = r.refusedValues.find((v) => v.parameter === 'CVN_PTE_ENVELOPE' && v.value === 'ATR1.5_3.0_H5')!;
    expect(envelope.code).toBe('DEPRECATED_VALUE');
    expect(envelope.reason).toMatch(/Incident #673/);
    const deprecatedHistory = envelope.rows.filter((row) => row.startsWith('ftf_config_history#'));
    expect(deprecatedHistory).toHaveLength(deprecatedRows.to - deprecatedRows.from + 1);
    expect(envelope.rows.filter((row) => row.startsWith('finetune_runs#')).length).toBeGreaterThanOrEqual(legacyRuns / 4);
    const bounds = r.refusedValues.find((v) => v.parameter === 'CVN_ATR_PERIOD' && v.value === '500')!;
    expect(bounds.code).toBe('OUT_OF_RANGE');
    expect(bounds.rows).toEqual([
      ...Array.from({ length: outOfBoundsRows.to - outOfBoundsRows.from + 1 }, (_, i) => `ftf_config_history#${outOfBoundsRows.from + i}`),
      'ftf_config#1',
    ]);
    expect(r.conversions.map((c) => [c.parameter, c.legacy, c.stored])).toEqual([['CVN_SIGNAL_CONFIRMATION_BARS', '2', '2']]);
    expect(r.history).toMatchObject({ total: historyRows, toImport: historyRows, alreadyImported: 0 });
    expect(r.history.rows[6]).toMatchObject({ row: 'ftf_config_history#7', reason: null, version: 7 });
    expect(r.current).toEqual({ row: 'ftf_config#1', toImport: true, version: historyRows + 1, sameAsHistory: false });
    expect(r.runs).toMatchObject({ total: legacyRuns, toImport: legacyRuns });
    expect(new Set(r.runs.rows.map((run) => `${run.legacyStatus}→${run.status}`))).toEqual(new Set(['completed→SUCCEEDED', 'failed→FAILED', 'running→CANCELLED', 'null→CANCELLED']));
    // The exact list of what would not come across: the two unknown keys, in every row.
    expect(r.superset.ok).toBe(false);
    expect(r.superset.checkedRows).toBe(historyRows + 1 + legacyRuns);
    expect(new Set(r.superset.missing.map((m) => m.parameter))).toEqual(new Set(['CVN_LEGACY_MAX_SPREAD_BPS', 'CVN_LEGACY_WARMUP_MODE']));
    expect(r.superset.missing).toHaveLength(2 * (historyRows + 1 + legacyRuns));
    const proposals = JSON.parse(await readFile(path.join(dir, 'proposals.json'), 'utf8'));
    expect(proposals.map((p: { name: string }) => p.name)).toEqual(['CVN_LEGACY_MAX_SPREAD_BPS', 'CVN_LEGACY_WARMUP_MODE']);
  }, 60_000);

  it('dry run with --create-unknown passes the superset check (exit 0), still writing nothing', async () => {
    const before = await counts();
    const { code, report } = await command('--source', legacy.url, '--environment', 'ftf', '--dry-run', '--json', '--create-unknown');
    expect(code).toBe(0);
    expect(report!.superset).toMatchObject({ ok: true, missing: [] });
    expect(report!.unknownKeys.every((k) => k.willCreate)).toBe(true);
    expect(await counts()).toEqual(before);
  }, 60_000);

  it('a key that can never be a catalog name fails the superset check, listed row by row; the import refuses and writes nothing', async () => {
    const before = await counts();
    const dry = await command('--source', broken.url, '--environment', 'broken', '--dry-run', '--json', '--create-unknown');
    expect(dry.code).toBe(1);
    expect(dry.report!.superset.missing.filter((m) => m.parameter === 'ftf_notes').map((m) => m.row)).toEqual([
      'ftf_config_history#1', 'ftf_config_history#2', 'ftf_config_history#3', 'ftf_config_history#4', 'ftf_config_history#5', 'ftf_config#1',
      'finetune_runs#ftf-0001', 'finetune_runs#ftf-0002',
    ]);
    expect(dry.report!.unknownKeys.find((k) => k.name === 'ftf_notes')).toMatchObject({ proposal: null, willCreate: false });
    const real = await command('--source', broken.url, '--environment', 'broken', '--json', '--create-unknown');
    expect(real.code).toBe(1);
    expect(real.err).toMatch(/superset check fails/);
    expect(await counts()).toEqual(before);
  }, 60_000);

  it('all or nothing: a failure midway (the 30th run) leaves nothing behind, not even the environment', async () => {
    const before = await counts();
    await t.sql.query(`CREATE FUNCTION test_poison_run() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'legacy run ftf-0030' THEN RAISE EXCEPTION 'poisoned run'; END IF; RETURN NEW; END $$`);
    await t.sql.query(`CREATE TRIGGER test_poison_run BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION test_poison_run()`);
    try {
      const { code, err } = await command('--source', legacy.url, '--environment', 'ftf', '--create-unknown');
      expect(code).toBe(1);
      expect(err).toMatch(/wrote nothing: .*poisoned run/s);
    } finally {
      await t.sql.query(`DROP TRIGGER test_poison_run ON runs; DROP FUNCTION test_poison_run()`);
    }
    expect(await counts()).toEqual(before);
    expect((await t.sql.query(`SELECT 1 FROM variable_catalog WHERE name LIKE 'CVN_LEGACY_%'`)).rowCount).toBe(0);
  }, 120_000);

  let report: LegacyImportReport;
  it('imports every history row as a version with its author, reason and time, the current row as the active version, every run as a legacy run', async () => {
    // The admin's path: the proposals file, edited (a wider bound), applied with the import.
    const proposals = JSON.parse(await readFile(path.join(dir, 'proposals.json'), 'utf8'));
    proposals[0].maxValue = 100;
    await writeFile(path.join(dir, 'entries.json'), JSON.stringify(proposals));
    const before = await counts();
    const result = await command('--source', legacy.url, '--environment', 'ftf', '--json', '--catalog-entries', path.join(dir, 'entries.json'), '--actor', 'cutover-operator');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    report = result.report!;
    console.log(`import of ${historyRows} history rows, the current row and ${legacyRuns} runs: ${report.imported!.milliseconds} ms`);
    expect(report.imported).toMatchObject({ versions: historyRows + 1, runs: legacyRuns, actors: 4, catalogEntries: 2, activeVersion: historyRows + 1 });
    expect(report.superset.ok).toBe(true);

    const env = (await t.sql.query(`SELECT id, active_version FROM environments WHERE name = 'ftf'`)).rows[0];
    expect(env.active_version).toBe(historyRows + 1);
    const versions = (await t.sql.query(`SELECT v.version, v.kind, v.reason, v.created_at, v.values, u.username, u.display_name
      FROM config_versions v JOIN users u ON u.id = v.author_id WHERE v.environment_id = $1 ORDER BY v.version`, [env.id])).rows;
    expect(versions).toHaveLength(historyRows + 1);
    expect(versions.every((v) => v.kind === 'IMPORT')).toBe(true);
    const v45 = versions[44];
    expect(v45).toMatchObject({ version: 45, reason: 'Switch to the wider envelope for the defi_top5 sweep', username: `legacy:${authors[45 % 3]}` });
    expect(v45.created_at.toISOString()).toBe(changedAt(45).toISOString());
    expect(v45.values.CVN_PTE_ENVELOPE).toBe('ATR1.5_3.0_H5');
    expect(versions[6]).toMatchObject({ reason: 'Imported from ftf_config_history#7: the legacy tool recorded no reason', username: `legacy:${authors[7 % 3]}` });
    expect(versions[1]!.username).toBe('legacy:unknown');
    // Every value preserved, as strings (the number 2 became "2").
    expect(versions[49]!.values).toEqual(Object.fromEntries(Object.entries(legacySnapshotAt(50)).map(([k, v]) => [k, String(v)])));
    expect(versions[historyRows]!.values).toEqual({ ...Object.fromEntries(Object.entries(legacySnapshotAt(historyRows)).map(([k, v]) => [k, String(v)])), CVN_ATR_PERIOD: '500' });
    const audit = (await t.sql.query(`SELECT actor, reason, at, details FROM audit_events WHERE action = 'config_version_imported' AND environment_id = $1 AND config_version = 7`, [env.id])).rows[0];
    expect(audit).toMatchObject({ actor: `legacy:${authors[7 % 3]}`, details: { legacyRow: 'ftf_config_history#7', legacyReason: null, importedBy: 'cutover-operator' } });
    expect(audit.at.toISOString()).toBe(changedAt(7).toISOString());
    const changes = (await t.sql.query(`SELECT c.parameter_name, c.before, c.after FROM config_changes c JOIN config_versions v ON v.id = c.version_id
      WHERE v.environment_id = $1 AND v.version = $2 ORDER BY 1`, [env.id, deprecatedRows.from])).rows;
    expect(changes).toContainEqual({ parameter_name: 'CVN_PTE_ENVELOPE', before: 'ATR0.5_1.5_H4', after: 'ATR1.5_3.0_H5' });

    // Legacy authors: named, never signed in.
    const actors = (await t.sql.query(`SELECT username, password_hash, disabled, legacy_actor FROM users WHERE legacy_actor ORDER BY username`)).rows;
    expect(actors).toEqual(['legacy:airflow', 'legacy:dococeven', 'legacy:ops-bot', 'legacy:unknown'].map((username) => ({ username, password_hash: '', disabled: true, legacy_actor: true })));
    const signIn = await fetch(`${t.url}/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'legacy:dococeven', password: '' }) });
    expect(signIn.status).toBe(401);
    await expect(t.sql.query(`UPDATE users SET disabled = false WHERE username = 'legacy:dococeven'`)).rejects.toThrow(/users_legacy_actor_cannot_sign_in/);
    // An admin cannot hand one a password or enable it either: a typed refusal, nothing changed.
    const legacyId = (await t.sql.query(`SELECT id FROM users WHERE username = 'legacy:dococeven'`)).rows[0].id;
    const enable = await t.gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }`, { input: { id: legacyId, disabled: false } }, 'admin');
    expect(errorCode(enable)).toBe('FORBIDDEN');
    const password = await t.gql(`mutation($input: SetPasswordInput!) { setPassword(input: $input) { id } }`, { input: { id: legacyId, newPassword: 'a-long-enough-password-1' } }, 'admin');
    expect(errorCode(password)).toBe('FORBIDDEN');
    expect(password.errors![0]!.message).toMatch(/imported from the legacy tool/);
    await expect(t.sql.query(`UPDATE users SET legacy_actor = false, disabled = false WHERE username = 'legacy:ops-bot'`)).rejects.toThrow(/legacy actor: that never changes/);

    // Legacy runs, each on a set frozen from its own snapshot.
    const runs = (await t.sql.query(`SELECT r.name, r.status, r.legacy, r.environment_id, r.config_version, r.started_by, r.metadata, r.outcome_message, s.values
      FROM runs r JOIN parameter_sets s ON s.hash = r.parameter_set_hash WHERE r.legacy AND r.environment_id = $1 ORDER BY r.name`, [env.id])).rows;
    expect(runs).toHaveLength(legacyRuns);
    const run4 = runs.find((r) => r.name === 'legacy run ftf-0004')!;
    expect(run4).toMatchObject({ legacy: true, config_version: null, status: 'CANCELLED', started_by: 'legacy:airflow' });
    expect(run4.outcome_message).toMatch(/status null/);
    expect(runs.find((r) => r.name === 'legacy run ftf-0003')).toMatchObject({ status: 'CANCELLED', outcome_message: expect.stringMatching(/status 'running'/) });
    expect(run4.values.CVN_PTE_ENVELOPE).toBe('ATR1.5_3.0_H5');
    expect(run4.metadata.legacy).toMatchObject({ table: 'finetune_runs', runId: 'ftf-0004', status: null, row: { fold: 4, git_sha: 'a'.repeat(40), crypto_list: ['BTCUSDC', 'ETHUSDC'] } });
    expect(runs.find((r) => r.name === 'legacy run ftf-0001')).toMatchObject({ status: 'SUCCEEDED' });
    expect(new Set(runs.map((r) => r.started_by))).toEqual(new Set(['legacy:airflow', 'legacy:unknown']));
    const entries = (await t.sql.query(`SELECT name, type, max_value FROM variable_catalog WHERE name LIKE 'CVN_LEGACY_%' ORDER BY name`)).rows;
    expect(entries).toEqual([{ name: 'CVN_LEGACY_MAX_SPREAD_BPS', type: 'INT', max_value: 100 }, { name: 'CVN_LEGACY_WARMUP_MODE', type: 'ENUM', max_value: null }]);
    const after = await counts();
    expect(after.versions - before.versions).toBe(historyRows + 1);
    expect(after.environments - before.environments).toBe(1);
  }, 180_000);

  it('is idempotent: a second import imports nothing, and its dry run verifies what is there', async () => {
    const before = await counts();
    const again = await command('--source', legacy.url, '--environment', 'ftf', '--json', '--create-unknown');
    expect(again.code).toBe(0);
    expect(again.report!.imported).toMatchObject({ versions: 0, runs: 0, parameterSets: 0, actors: 0, catalogEntries: 0, activeVersion: historyRows + 1 });
    expect(await counts()).toEqual(before);
    const dry = await command('--source', legacy.url, '--environment', 'ftf', '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(dry.report!.history).toMatchObject({ toImport: 0, alreadyImported: historyRows });
    expect(dry.report!.runs).toMatchObject({ toImport: 0, alreadyImported: legacyRuns });
    expect(dry.report!.current).toMatchObject({ toImport: false, version: historyRows + 1 });
    expect(dry.report!.superset).toMatchObject({ ok: true, checkedRows: historyRows + 1 + legacyRuns });
  }, 120_000);

  it('a historical value refused today is kept, but restoring it is refused with the save\'s code, and so is promoting one', async () => {
    const before = await counts();
    const restore = await t.gql(`mutation($input: RestoreConfigInput!) { restoreConfigVersion(input: $input) { outcome } }`, {
      input: { environment: 'ftf', expectedVersion: historyRows + 1, version: 45, reason: 'back to the sweep envelope' },
    }, 'admin');
    expect(errorCode(restore)).toBe('DEPRECATED');
    expect(restore.errors![0]!.extensions!.violations.map((v: { code: string; parameter?: string }) => `${v.code}:${v.parameter ?? ''}`)).toContain('DEPRECATED_VALUE:CVN_PTE_ENVELOPE');
    // The active version holds the imported 500; copying it to dev is refused by today's bounds.
    const devVersion = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    const promote = await t.gql(`mutation($input: PromoteConfigInput!) { promoteConfig(input: $input) { outcome } }`, {
      input: { from: 'ftf', to: 'dev', names: ['CVN_ATR_PERIOD'], expectedVersion: devVersion, reason: 'promote the legacy ATR period' },
    }, 'admin');
    expect(errorCode(promote)).toBe('VALIDATION_FAILED');
    expect(promote.errors![0]!.extensions!.violations[0]).toMatchObject({ code: 'OUT_OF_RANGE', parameter: 'CVN_ATR_PERIOD' });
    // A value that passes today's checks restores as usual.
    const fine = await t.gql(`mutation($input: RestoreConfigInput!) { restoreConfigVersion(input: $input) { outcome version { version kind restoredFrom } } }`, {
      input: { environment: 'ftf', expectedVersion: historyRows + 1, version: historyRows, reason: 'back to the last recorded history' },
    }, 'admin');
    expect(expectData(fine).restoreConfigVersion).toEqual({ outcome: 'APPLIED', version: { version: historyRows + 2, kind: 'RESTORE', restoredFrom: historyRows } });
    expect((await counts()).versions).toBe(before.versions + 1);
  }, 60_000);

  it('the application role cannot pass a version off as imported', async () => {
    const app = new (await import('pg')).default.Client({ connectionString: t.db.appUrl });
    await app.connect();
    try {
      const env = (await app.query(`SELECT id, active_version FROM environments WHERE name = 'dev'`)).rows[0];
      const author = (await app.query(`SELECT id FROM users WHERE username = 'admin'`)).rows[0].id;
      await expect(app.query(`INSERT INTO config_versions (environment_id, version, kind, values, reason, author_id) VALUES ($1, $2, 'IMPORT', '{}', 'forged', $3)`,
        [env.id, env.active_version + 1, author])).rejects.toThrow(/marked IMPORT but no legacy row was imported/);
      await expect(app.query(`INSERT INTO legacy_imports (environment_id, source_table, legacy_id, config_version, imported_by) VALUES ($1, 'ftf_config', 'x', 1, 'me')`, [env.id]))
        .rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });

  it('npm run import:legacy prints the dry-run report and exits non-zero when the superset check fails', async () => {
    const run = promisify(execFile)('npx', ['tsx', 'scripts/import-legacy.ts', '--source', broken.url, '--environment', 'broken', '--dry-run'], {
      env: { ...process.env, MIGRATION_DATABASE_URL: t.db.url, LOG_LEVEL: 'silent' },
    });
    const failure = await run.then(() => null, (error: { code: number; stdout: string }) => error);
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toMatch(/Superset check: FAILED/);
    expect(failure?.stdout).toMatch(/ftf_notes/);
  }, 60_000);
});
