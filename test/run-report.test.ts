import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeA, createToken, factor, finishRun, freeze, save, startRun } from './support/lineage-fixtures.ts';
import { authorizationFor, expectData, startTestApp, type TestApp, type TestUser } from './support/start-test-app.ts';

const run = promisify(execFile);

/**
 * The run's PDF report (server/http/run-report): its text as Debian's
 * pdftotext (poppler-utils) reads it, and its access rules, which are
 * GraphQL's: any signed-in reader, a token of another environment meets the
 * same absence, typed errors for bad ids.
 */
describe('run report PDF', () => {
  let t: TestApp;
  let dir: string;
  let trial: string;
  let base: string;
  let trialName: string;
  let setValues: Record<string, string>;

  const download = (id: string, as: TestUser = 'viewer', query = '', method = 'GET') =>
    fetch(`${t.url}/runs/${encodeURIComponent(id)}/report.pdf${query}`, { method, headers: { ...(as ? { authorization: authorizationFor(as)! } : {}) } });

  async function textOf(pdf: ArrayBuffer): Promise<string> {
    const file = path.join(dir, `report-${Math.random().toString(36).slice(2)}.pdf`);
    await writeFile(file, Buffer.from(pdf));
    // REPORT_COPY=<dir>: keep a copy to look at (pdftoppm -png -r 60).
    if (process.env.REPORT_COPY) await writeFile(path.join(process.env.REPORT_COPY, path.basename(file)), Buffer.from(pdf));
    return (await run('pdftotext', ['-layout', file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
  }

  beforeAll(async () => {
    t = await startTestApp();
    dir = await mkdtemp(path.join(tmpdir(), 'ucp-run-report-'));
    await save(t, 'dev', { CVN_ATR_PERIOD: '21' }, 'Longer ATR after the March review');
    base = await startRun(t, { kind: 'BACKTEST', name: 'baseline backtest', parameterSetHash: await freeze(t, { environment: 'dev' }) });
    const hash = await freeze(t, { environment: 'dev', experimentalFactors: [factor('CVN_RSI_PERIOD', '21')] });
    trialName = 'rsi sweep trial 21';
    trial = await startRun(t, { kind: 'EXPERIMENT', name: trialName, parameterSetHash: hash });
    await finishRun(t, trial, 'SUCCEEDED', { outputDigest: `sha256:${'ab'.repeat(32)}`, outcomeMessage: 'Sharpe 1.42 on the hold-out folds' });
    setValues = expectData(await t.gql(`query ($h: String!) { parameterSet(hash: $h) { values } }`, { h: hash })).parameterSet.values;
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the run, its set by group, factors, code, the version\'s author and reason, the baseline\'s verdict and the digest', async () => {
    const started = performance.now();
    const response = await download(trial, 'viewer', `?baseline=${encodeURIComponent(base)}`);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="run-rsi-sweep-trial-21.pdf"');
    const text = await textOf(await response.arrayBuffer());
    const flat = text.replace(/\s+/g, ' ');

    for (const expected of [
      'RUN REPORT', trialName, 'EXPERIMENT', 'SUCCEEDED', 'Sharpe 1.42 on the hold-out folds', `sha256:${'ab'.repeat(32)}`,
      'dev@2 (edit)', 'Editor (editor)', 'Longer ATR after the March review', 'CVN_ATR_PERIOD',
      codeA.commit, 'xgboost', '2.0.3', 'cvntrade', '4.2.0',
      'baseline backtest', 'Verdict: RELAXED', 'FACTOR_DIFFERS',
    ]) expect(flat, expected).toContain(expected);
    // The factor: its variant over the frozen value.
    expect(flat).toMatch(/CVN_RSI_PERIOD\s+21\s+14/);
    // Every one of the set's parameters, across the pages, with page numbers on each.
    const names = Object.keys(setValues);
    expect(names.length).toBeGreaterThan(500); // the seeded catalog's live parameters
    const missing = names.filter((name) => !text.includes(name));
    expect(missing).toEqual([]);
    const pages = Number(/Page 1 of (\d+)/.exec(text)?.[1]);
    expect(pages).toBeGreaterThan(5);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    // The generation time (Server-Timing: read models + layout): the first (cold) and the median of five more.
    const serverMs = (r: Response) => Number(/dur=([\d.]+)/.exec(r.headers.get('server-timing') ?? '')?.[1]);
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      const again = await download(trial, 'viewer', `?baseline=${encodeURIComponent(base)}`);
      await again.arrayBuffer();
      warm.push(serverMs(again));
    }
    warm.sort((x, y) => x - y);
    console.info(`run report: ${pages} pages, ${names.length} parameters; generated in ${serverMs(response)} ms cold (${Math.round(elapsed)} ms to last byte), median ${warm[2]} ms warm (min ${warm[0]}, max ${warm[4]})`);
  });

  it('says when no baseline was chosen', async () => {
    const text = await textOf(await (await download(base, 'editor')).arrayBuffer());
    expect(text).toContain('No baseline was chosen');
    expect(text).toContain('BACKTEST');
  });

  it('answers like GraphQL: 401 without credentials, NOT_FOUND for bad ids and another environment\'s token, 405 for other methods', async () => {
    const anonymous = await download(trial, null);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe('UNAUTHENTICATED');

    for (const [id, query] of [['not-a-run', ''], ['00000000-0000-4000-8000-000000000000', ''], [trial, '?baseline=00000000-0000-4000-8000-000000000000']] as const) {
      const missing = await download(id, 'viewer', query);
      expect(missing.status, `${id}${query}`).toBe(404);
      expect((await missing.json()).error.code).toBe('NOT_FOUND');
    }
    const empty = await download(trial, 'viewer', '?baseline=');
    expect(empty.status).toBe(400);
    expect((await empty.json()).error).toMatchObject({ code: 'BAD_REQUEST', field: 'baseline' });

    // A token of prod: the dev run is absent, as run(id:) answers null to it.
    const prod = { token: await createToken(t, 'prod', 'report-reader') };
    expect(expectData(await t.gql(`query ($id: ID!) { run(id: $id) { id } }`, { id: trial }, prod)).run).toBeNull();
    const hidden = await download(trial, prod);
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).error.code).toBe('NOT_FOUND');
    const dev = { token: await createToken(t, 'dev', 'report-writer') };
    expect((await download(trial, dev)).status).toBe(200);

    const post = await download(trial, 'viewer', '', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
