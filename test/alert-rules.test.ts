import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FORBIDDEN_SECTION_EVENT } from '../runtime-agent/src/index.ts';
import { lagThresholds } from '../server/features/workers/index.ts';
import { createMetrics } from '../server/metrics/create-metrics.ts';

// The alert rules are checked by Prometheus's own tools, and held against the
// code: every metric and label they name must be one the server (or the Loki
// recording rules) produces, so a renamed metric fails here, not in production.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prometheusDir = path.join(root, 'monitoring/prometheus');
const rulesFile = path.join(prometheusDir, 'alert-rules.yml');
const lokiFile = path.join(root, 'monitoring/loki/recording-rules.yml');

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }
interface RuleFile { groups: { name: string; rules: Rule[] }[] }

const readRules = (file: string) => (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`promtool could not run (${result.error.message}): install Debian's prometheus package (.ci/run does).`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const keywords = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names and label names a PromQL expression refers to. Not a full
 * parser (promtool check rules is the syntax check): strings and durations are
 * dropped, label matchers and grouping clauses give the labels, and what is
 * left that is an identifier not followed by "(" is a metric name.
 */
function references(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const labels = new Set<string>();
  let rest = expr;
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, list: string) => {
    for (const name of list.split(',').map((s) => s.trim()).filter(Boolean)) labels.add(name);
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_, matchers: string) => {
    for (const m of matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g)) labels.add(m[1] as string);
    return ' ';
  });
  rest = rest.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  const metrics = new Set<string>();
  for (const m of rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, name, call] = m as unknown as [string, string, string | undefined];
    if (!call && !keywords.has(name.toLowerCase())) metrics.add(name);
  }
  return { metrics, labels };
}

describe('Prometheus alert rules', () => {
  const rules = readRules(rulesFile);

  it('pass promtool check rules', () => {
    const { status, output } = promtool('check', 'rules', 'alert-rules.yml');
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status).toBe(0);
  });

  it('pass their promtool unit tests (each alert fires when it should and stays silent when it should)', () => {
    const { status, output } = promtool('test', 'rules', 'alert-rules.test.yml');
    expect(output).toContain('SUCCESS');
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  });

  it('have a unit test for every alert', () => {
    const tests = parse(readFileSync(path.join(prometheusDir, 'alert-rules.test.yml'), 'utf8')) as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const firing = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const silent = new Set(tests.tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname)));
    for (const rule of rules.filter((r) => r.alert)) {
      expect(firing.has(rule.alert as string), `${rule.alert} is tested firing`).toBe(true);
      expect(silent.has(rule.alert as string), `${rule.alert} is tested silent`).toBe(true);
    }
  });

  it('give every alert a severity of warning or critical', () => {
    for (const rule of rules.filter((r) => r.alert)) expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
  });

  it('name only metrics and labels the server registry (or the Loki recording rules) produces', async () => {
    const registry = createMetrics().registry;
    const produced = new Map<string, Set<string>>();
    for (const { name: metric, type } of await registry.getMetricsAsJSON()) {
      const { labelNames = [] } = registry.getSingleMetric(metric) as unknown as { labelNames?: string[] };
      const names = String(type) === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => metric + suffix) : [metric];
      for (const name of names) produced.set(name, new Set([...labelNames, ...(name.endsWith('_bucket') ? ['le'] : [])]));
    }
    for (const rule of readRules(lokiFile)) {
      const by = /sum by \(([^)]*)\)/.exec(rule.expr)?.[1]?.split(',').map((s) => s.trim()) ?? [];
      produced.set(rule.record as string, new Set(by));
    }
    // Labels Prometheus adds to every scraped series.
    const targetLabels = ['instance', 'job'];

    for (const rule of rules) {
      const { metrics, labels } = references(rule.expr);
      expect(metrics.size, `${rule.alert} names a metric`).toBeGreaterThan(0);
      for (const name of metrics) expect(produced.has(name), `${rule.alert}: ${name} is produced`).toBe(true);
      const available = new Set([...metrics].flatMap((name) => [...(produced.get(name) ?? [])]).concat(targetLabels));
      for (const label of labels) expect(available.has(label), `${rule.alert}: label ${label} exists on ${[...metrics].join(', ')}`).toBe(true);
    }
  });

  it('use the lag thresholds of the server\'s lag rule', () => {
    const lagging = rules.find((r) => r.alert === 'UcpWorkerLagging') as Rule;
    expect(lagging.expr).toMatch(new RegExp(`ucp_worker_lag_versions\\) > ${lagThresholds.versions}\\b`));
    expect(lagging.expr).toMatch(new RegExp(`ucp_worker_lag_seconds\\) > ${lagThresholds.seconds}\\b`));
  });

  it('count the forbidden-section event by the name the runtime agent logs it under', () => {
    const [recorded] = readRules(lokiFile);
    expect(recorded?.record).toBe('ucp:forbidden_section_events:count5m');
    expect(recorded?.expr).toContain(`|= "${FORBIDDEN_SECTION_EVENT}"`);
    expect(recorded?.expr).toContain(`event = "${FORBIDDEN_SECTION_EVENT}"`);
  });
});
