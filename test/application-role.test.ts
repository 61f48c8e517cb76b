import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assertApplicationRole, inspectDatabaseRole } from '../server/db/check-application-role.ts';
import { connectPostgres } from '../server/db/connect-postgres.ts';
import { createLogger } from '../server/logging/create-logger.ts';
import { applicationDatabaseUrlFor, databaseUrlFor, withAdminClient } from './support/postgres-admin.ts';
import { spawnProduct, type RunningProduct } from './support/spawn-product.ts';
import { createTestDatabase, type TestDatabase } from './support/test-database.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const passwords = { UCP_ADMIN_PASSWORD: 'admin-pw-roles', UCP_APPROVER_PASSWORD: 'approver-pw-roles', UCP_EDITOR_PASSWORD: 'editor-pw-roles', UCP_VIEWER_PASSWORD: 'viewer-pw-roles' };

function recordingLogger() {
  const lines: Record<string, any>[] = [];
  const destination = new Writable({ write(chunk, _encoding, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

async function environments(url: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`admin:${passwords.UCP_ADMIN_PASSWORD}`).toString('base64')}` },
    body: JSON.stringify({ query: '{ environments { name activeVersion } }' }),
  });
  return ((await response.json()) as { data: { environments: { name: string }[] } }).data.environments.map((e) => e.name);
}

/** An empty database (no migrations), dropped after the test (or with the run's clones). */
async function emptyDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const run = inject('templateDatabase').replace('ucp_tpl_', '');
  const name = `ucp_t_${run}_roles_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  return { name, drop: () => withAdminClient(async (client) => { await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); }) };
}

/** Who the server process is connected as, by its application_name. */
const serverRoles = (database: string) => withAdminClient(async (client) =>
  (await client.query<{ usename: string }>(
    `SELECT DISTINCT usename::text FROM pg_stat_activity WHERE datname = $1 AND application_name IN ('ucp', 'ucp-listen') ORDER BY 1`, [database],
  )).rows.map((r) => r.usename));

describe('the server checks the role it connects as', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('sees the application role as owning nothing, and the owner as the owner', async () => {
    const { logger } = recordingLogger();
    for (const [url, expected] of [
      [db.appUrl, { user: 'ucp_app_test', superuser: false, ownedTables: [] }],
      [db.url, { user: 'postgres', superuser: true, ownedTables: expect.arrayContaining(['config_versions', 'parameter_sets', 'runs', 'worker_applies']) }],
    ] as const) {
      const database = await connectPostgres({ connectionString: url, logger, migrate: false, poolSize: 1 });
      try {
        expect(await inspectDatabaseRole(database.prisma)).toEqual(expected);
      } finally {
        await database.close();
      }
    }
  });

  it('refuses a privileged role in production, warns about it elsewhere, and accepts the application role', () => {
    const owner = { user: 'ucp_owner', superuser: false, ownedTables: ['audit_events', 'config_versions', 'environments', 'runs'] };
    const { logger, lines } = recordingLogger();
    expect(() => assertApplicationRole(owner, { production: true, logger }))
      .toThrow(/^Refusing to start: DATABASE_URL connects as ucp_owner, which owns 4 of its tables \(audit_events, config_versions, environments, …\): it could switch off the invariant triggers/);
    expect(() => assertApplicationRole({ user: 'postgres', superuser: true, ownedTables: [] }, { production: true, logger })).toThrow(/which is a superuser/);
    assertApplicationRole(owner, { production: false, logger });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', event: 'database_role_privileged', user: 'ucp_owner', owned_tables: 4 });
    expect(lines.at(-1)!.msg).toMatch(/MIGRATION_DATABASE_URL.*Allowed because NODE_ENV is not production/);
    assertApplicationRole({ user: 'ucp_app_test', superuser: false, ownedTables: [] }, { production: true, logger });
    expect(lines.at(-1)).toMatchObject({ level: 'info', event: 'database_role', user: 'ucp_app_test' });
  });

  it('`npm start` in production refuses to start when DATABASE_URL is the owner', async () => {
    const started = spawnProduct({ DATABASE_URL: db.url, NODE_ENV: 'production', PAPER_WORKER: 'false' });
    await expect(started).rejects.toThrow(/exited with 1 before it was ready[\s\S]*Refusing to start: DATABASE_URL connects as postgres, which is a superuser and owns/);
  });
});

describe('two database URLs: the owner migrates and seeds, the server runs as the application role', () => {
  let dataDir: string;
  let product: RunningProduct | undefined;
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'ucp-roles-'));
  });
  afterAll(async () => {
    await product?.stop();
    for (const drop of drops) await drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('first start on an empty database: MIGRATION_DATABASE_URL migrates and seeds, DATABASE_URL serves', { timeout: 90_000 }, async () => {
    const empty = await emptyDatabase();
    drops.push(empty.drop);
    product = await spawnProduct({
      DATABASE_URL: applicationDatabaseUrlFor(empty.name), MIGRATION_DATABASE_URL: databaseUrlFor(empty.name),
      NODE_ENV: 'production', PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...passwords,
    }, 60_000);
    expect(await environments(product.url)).toEqual(['dev', 'staging', 'prod']);
    expect(await serverRoles(empty.name)).toEqual(['ucp_app_test']);
    expect(product.output()).toMatch(/"event":"database_role","user":"ucp_app_test"/);
    expect(await product.stop()).toBe(0);
    product = undefined;
  });

  it('`npm run migrate` as the owner migrates and seeds (given the passwords); a server given only the application URL then starts', { timeout: 120_000 }, async () => {
    const empty = await emptyDatabase();
    drops.push(empty.drop);
    const migrate = (env: Record<string, string>) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
      cwd: root, env: { ...process.env, MIGRATION_DATABASE_URL: databaseUrlFor(empty.name), DATABASE_URL: '', DATA_DIR: dataDir, ...env },
    });
    const server = { DATABASE_URL: applicationDatabaseUrlFor(empty.name), NODE_ENV: 'production', PAPER_WORKER: 'false', DATA_DIR: dataDir, LOG_LEVEL: 'info' };

    // Without the first passwords a migration job has nowhere to leave random ones: it does not seed,
    // and the application role may not seed either.
    expect((await migrate({})).stdout).toMatch(/applied \d+ migration\(s\)[\s\S]*database is empty and not seeded: set UCP_ADMIN_PASSWORD/);
    await expect(spawnProduct(server, 60_000)).rejects.toThrow(/Seeding the empty database as DATABASE_URL failed \(.*permission denied for table environments/);

    expect((await migrate(passwords)).stdout).toMatch(/database already up to date[\s\S]*seeded with the UCP_<USER>_PASSWORD passwords/);
    product = await spawnProduct(server, 60_000);
    // It checked the migrations as the application role (nothing to apply) and did not seed.
    expect(product.output()).toMatch(/MIGRATION_DATABASE_URL is not set: migrations and seeding run as DATABASE_URL/);
    expect(product.output()).not.toMatch(/database_seeded/);
    expect(await environments(product.url)).toEqual(['dev', 'staging', 'prod']);
    expect(await serverRoles(empty.name)).toEqual(['ucp_app_test']);
  });
});
