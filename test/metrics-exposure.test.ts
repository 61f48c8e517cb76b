import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, startTestApp, testMetricsToken, type TestApp } from './support/start-test-app.ts';

// Issue 9: every unknown environment name sent to updateConfig became a
// permanent Prometheus series, and the exposition was anonymous (200 long
// names grew it from 1 MB to 14 MB). Labels come only from known values, and
// /metrics needs METRICS_TOKEN or a port of its own.

const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome } }`;

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ options: { metricsPort: 0 } });
  });
  afterAll(() => t.close());

  it('answers 401 UNAUTHENTICATED without METRICS_TOKEN, or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-metrics-token-at-all-0000' }, { authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` }];
    for (const headers of attempts) {
      const response = await fetch(`${t.url}/metrics`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await response.json()).error.code).toBe('UNAUTHENTICATED');
    }
    const scraped = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${testMetricsToken}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('ucp_listen_connected 1');
  });

  it('is served without a credential on METRICS_PORT, and nothing else is', async () => {
    const metricsUrl = t.app.metricsUrl!;
    expect(metricsUrl).toBeDefined();
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toContain('ucp_config_writes_total');
    expect((await fetch(`${metricsUrl}/graphql`)).status).toBe(404);
  });

  it('refuses everyone on the main port when no METRICS_TOKEN is set', async () => {
    const bare = await startTestApp({ options: { metricsToken: undefined } });
    try {
      const response = await fetch(`${bare.url}/metrics`, { headers: { authorization: 'Bearer anything-at-all-anything-at-all' } });
      expect(response.status).toBe(401);
      expect((await response.json()).error.message).toMatch(/METRICS_PORT/);
    } finally {
      await bare.close();
    }
  });

  it('makes no series of an environment name nobody has', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `no-such-environment-${i}-${'x'.repeat(200)}`);
    for (const environment of names) {
      const refused = await t.gql(UPDATE, { input: { environment, expectedVersion: 1, reason: 'probing the metric labels', changes: [{ name: 'CVN_ATR_PERIOD', value: '21' }] } }, 'editor');
      expect(errorCode(refused)).toBe('NOT_FOUND');
    }
    const text = await t.scrape();
    expect(text).not.toContain('no-such-environment');
    // The refusals are still counted, under one fixed label.
    expect(text).toMatch(/ucp_config_writes_total\{environment="unknown",kind="EDIT",outcome="NOT_FOUND"\} 20/);
    const series = text.split('\n').filter((line) => line.startsWith('ucp_config_writes_total{'));
    expect(series.every((line) => /environment="(dev|staging|prod|unknown)"/.test(line))).toBe(true);
  });
});
