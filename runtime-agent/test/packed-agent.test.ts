// The agent as a worker outside this repository gets it: `npm pack` builds the
// tarball (prepack compiles to JavaScript with declarations), an empty folder
// outside the repo installs it with npm, and a ten-line worker runs on plain
// `node` — no TypeScript loader — against a real server. What the tarball
// holds and what it depends on are asserted too: a worker pulls in two
// libraries, not the server's.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, startTestApp, type TestApp } from '../../test/support/start-test-app.ts';

const run = promisify(execFile);
const agentDir = new URL('..', import.meta.url).pathname;

// The worker a README reader writes (runtime-agent/README.md shows the same lines).
const WORKER = `
import { createRuntimeAgent } from '@ucp/runtime-agent';
const agent = createRuntimeAgent({
  url: process.env.UCP_URL, token: process.env.UCP_TOKEN, environment: 'dev',
  workerName: 'packed-worker', mode: 'PAPER', consumes: ['CVN_SIGNAL_THRESHOLD_BUY'],
});
await agent.ready();
await agent.cycle(async (config) => console.log(JSON.stringify({ buy: config.get('CVN_SIGNAL_THRESHOLD_BUY'), ...agent.tag() })));
await agent.close();
`;

// The OpenFeature entry point, with the SDK the worker brings itself (an optional peer).
const OPENFEATURE_WORKER = `
import { OpenFeature } from '@openfeature/server-sdk';
import { createRuntimeAgent } from '@ucp/runtime-agent';
import { RuntimeAgentProvider } from '@ucp/runtime-agent/openfeature';
const agent = createRuntimeAgent({
  url: process.env.UCP_URL, token: process.env.UCP_TOKEN, environment: 'dev',
  workerName: 'packed-openfeature-worker', mode: 'PAPER', consumes: ['CVN_SIGNAL_THRESHOLD_BUY'],
});
await OpenFeature.setProviderAndWait(new RuntimeAgentProvider(agent, { closeAgentOnClose: true }));
console.log(JSON.stringify({ buy: await OpenFeature.getClient().getNumberValue('CVN_SIGNAL_THRESHOLD_BUY', -1) }));
await OpenFeature.close();
`;

describe('the runtime agent as an npm package', () => {
  let t: TestApp;
  let folder: string;
  let token: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'ucp-packed-agent-'));
    t = await startTestApp();
    const created = await t.gql(`mutation ($input: CreateServiceTokenInput!) { createServiceToken(input: $input) { token } }`, { input: { environment: 'dev', name: 'packed-agent' } });
    token = expectData(created).createServiceToken.token;
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('packs to JavaScript and declarations with a small dependency list, installs outside the repo and runs on plain node', async () => {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', folder], { cwd: agentDir, env: { ...process.env, npm_config_loglevel: 'error' } });
    const [summary] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = summary!.files.map((f) => f.path);
    expect(files).toContain('dist/runtime-agent/src/index.js');
    expect(files).toContain('dist/runtime-agent/src/index.d.ts');
    expect(files).toContain('dist/runtime-agent/src/openfeature-provider.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.some((f) => f.includes('/test/') || f.includes('paper-worker'))).toBe(false);

    const manifest = JSON.parse(await readFile(join(agentDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['graphql-ws', 'ws']);

    await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'some-trading-worker', private: true, type: 'module' }));
    const sdk = JSON.parse(await readFile(new URL('../../node_modules/@openfeature/server-sdk/package.json', import.meta.url), 'utf8')) as { version: string };
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(folder, summary!.filename), `@openfeature/server-sdk@${sdk.version}`], { cwd: folder });
    await writeFile(join(folder, 'worker.mjs'), WORKER);
    await writeFile(join(folder, 'openfeature-worker.mjs'), OPENFEATURE_WORKER);

    const expected = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment.activeVersion;
    // Plain node: no tsx, no loader flags, the folder's own node_modules only.
    const { stdout } = await run(process.execPath, ['worker.mjs'], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', UCP_URL: t.url, UCP_TOKEN: token },
      timeout: 30_000,
    });
    const line = stdout.trim().split('\n').map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return null; } }).find((l) => l && 'buy' in l);
    expect(line).toMatchObject({ configVersion: expected });
    expect(typeof line!.buy).toBe('number');

    const viaOpenFeature = await run(process.execPath, ['openfeature-worker.mjs'], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', UCP_URL: t.url, UCP_TOKEN: token },
      timeout: 30_000,
    });
    expect(JSON.parse(viaOpenFeature.stdout.trim().split('\n').at(-1)!)).toEqual({ buy: line!.buy });

    // The worker registered itself through the packaged agent, as any worker does.
    const workers = expectData(await t.gql(`{ workers(environment: "dev") { name } }`)).workers.map((w: { name: string }) => w.name);
    expect(workers).toContain('packed-worker');
  }, 120_000);
});
