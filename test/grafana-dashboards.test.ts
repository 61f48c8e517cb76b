import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grafanaDir } from './support/grafana-api-schemas.ts';
import { grafanaClient, isTable, type Answer } from './support/grafana-client.ts';
import { pluginQueryRequest, pluginVariableRequest, type PanelTarget, type VariableModel, type VariableValues } from './support/grafana-plugin.ts';
import { seedGrafanaFixture } from './support/grafana-seed.ts';
import { repoRoot } from './support/import-graph.ts';
import { startTestApp, type TestApp } from './support/start-test-app.ts';

// The three dashboards of architecture §11 are code: this walks every panel's
// target (and every annotation and variable) of each, builds the request the
// JSON datasource plugin would send for it, sends it to a server seeded with
// workers and history, and holds the answer to our OpenAPI definition and to
// "not empty".

describe('dashboards as code (monitoring/grafana)', () => {
  let t: TestApp;
  let everyEnvironment: string;
  const { post } = grafanaClient({ url: () => t.url, token: () => everyEnvironment });

  beforeAll(async () => {
    t = await startTestApp();
    ({ everyEnvironment } = await seedGrafanaFixture(t));
  });
  afterAll(() => t.close());

  const dashboards = readdirSync(path.join(grafanaDir, 'dashboards')).filter((f) => f.endsWith('.json'));
  const load = (file: string) => JSON.parse(readFileSync(path.join(grafanaDir, 'dashboards', file), 'utf8'));
  const datasource = YAML.parse(readFileSync(path.join(grafanaDir, 'provisioning', 'datasources', 'ucp.yaml'), 'utf8')).datasources[0];
  const lokiRecorded = YAML.parse(readFileSync(path.join(repoRoot, 'monitoring', 'loki', 'recording-rules.yml'), 'utf8')).groups.flatMap((g: { rules: { record: string }[] }) => g.rules.map((r) => r.record));

  it('are the three dashboards of §11, provisioned against the one datasource', () => {
    expect(dashboards.sort()).toEqual(['configuration-platform-audit.json', 'configuration-platform-overview.json', 'configuration-platform-workers.json']);
    expect(datasource).toMatchObject({ uid: 'ucp', type: 'simpod-json-datasource', jsonData: { httpHeaderName1: 'X-UCP-Token' } });
    const provider = YAML.parse(readFileSync(path.join(grafanaDir, 'provisioning', 'dashboards', 'ucp.yaml'), 'utf8')).providers[0];
    expect(provider).toMatchObject({ type: 'file', allowUiUpdates: false });
    for (const file of dashboards) expect(load(file)).toMatchObject({ uid: file.replace(/\.json$/, ''), schemaVersion: 39 });
  });

  it('every panel target, annotation and variable gets a well-formed, non-empty answer', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 6 * 3600_000);
    let walked = 0;
    for (const file of dashboards) {
      const dashboard = load(file);
      const isOurs = (ds?: { uid?: string; type?: string }) => ds?.uid === datasource.uid;
      // Variables first, as Grafana resolves them: every value ("All").
      const values: VariableValues = {};
      for (const variable of dashboard.templating.list as VariableModel[]) {
        if (variable.type !== 'query') continue;
        expect(isOurs(variable.datasource), `${file} variable ${variable.name}`).toBe(true);
        const answer = await post('/variable', pluginVariableRequest(variable, values, { from, to }));
        expect(answer.length, `${file} variable ${variable.name}`).toBeGreaterThan(0);
        values[variable.name] = answer.map((item: { __value: string }) => item.__value);
      }
      const targets: { where: string; target: PanelTarget }[] = [
        ...dashboard.panels.flatMap((panel: { title: string; datasource?: { uid?: string }; targets: PanelTarget[] }) =>
          panel.targets.map((target) => ({ where: `${file} "${panel.title}" ${target.refId}`, target: { ...target, datasource: target.datasource ?? panel.datasource } }))),
        ...dashboard.annotations.list.filter((a: { target?: PanelTarget }) => a.target).map((a: { name: string; datasource: { uid?: string }; target: PanelTarget }) =>
          ({ where: `${file} annotation "${a.name}"`, target: { ...a.target, datasource: a.datasource } })),
      ];
      for (const { where, target: panelTarget } of targets) {
        if (!isOurs(panelTarget.datasource)) {
          // Only the forbidden-section panel reads elsewhere: the Loki-recorded series in Prometheus.
          expect(panelTarget.datasource?.uid, where).toBe('${prometheus}');
          expect(lokiRecorded.some((record: string) => String(panelTarget.expr).includes(record)), where).toBe(true);
          continue;
        }
        const body = pluginQueryRequest([panelTarget], values, { from, to, maxDataPoints: 500 });
        const answers = (await post('/query', body)) as Answer[];
        expect(answers.length, where).toBeGreaterThan(0);
        for (const answer of answers) {
          if (isTable(answer)) expect(answer.rows.length, `${where}: rows`).toBeGreaterThan(0);
          else expect(answer.datapoints.length, `${where}: ${answer.target}`).toBeGreaterThan(0);
        }
        walked += 1;
      }
    }
    expect(walked).toBeGreaterThanOrEqual(15);
  });
});
