// What Grafana and the JSON datasource plugin (simpod-json-datasource 0.6.x,
// src/DataSource.ts) put on the wire for a dashboard, rebuilt for tests: the
// template variables interpolated in the formats the plugin asks Grafana for
// (regex for a builder-mode payload and the target, json for a JSON variable
// query), and the data query request Grafana hands the plugin, which the
// plugin POSTs to /query after processing its targets.

/** A dashboard variable's current values (several when multi-valued or "All"). */
export type VariableValues = Record<string, string[]>;

/** Grafana's escapeRegex (@grafana/data): what the regex format escapes in each value. */
const escapeRegex = (value: string) => value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');

const formats = {
  regex: (values: string[]) => (values.length === 1 ? escapeRegex(values[0]!) : `(${values.map(escapeRegex).join('|')})`),
  json: (values: string[]) => JSON.stringify(values.length === 1 ? values[0] : values),
} as const;

/** templateSrv.replace(text, scopedVars, format): `$name` and `${name}` (an explicit `${name:fmt}` wins). */
export function interpolate(text: string, variables: VariableValues, format: keyof typeof formats): string {
  return text.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (match, braced: string | undefined, explicit: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    const values = variables[name];
    if (!values) return match;
    const chosen = (explicit ?? format) as keyof typeof formats;
    return (formats[chosen] ?? formats[format])(values);
  });
}

/** A panel target as dashboard JSON holds it. */
export interface PanelTarget {
  refId: string;
  datasource?: { type?: string; uid?: string };
  editorMode?: 'builder' | 'code';
  target?: string;
  payload?: string | Record<string, unknown>;
  hide?: boolean;
  [other: string]: unknown;
}

/**
 * processPayload: code mode replaces each variable in the JSON text in json
 * format, unquoting a single string (cleanMatch), then parses it; builder mode
 * interpolates each value (items of a list one by one) in regex format.
 */
export function processPayload(payload: PanelTarget['payload'], editorMode: PanelTarget['editorMode'], variables: VariableValues): Record<string, unknown> {
  if (typeof payload === 'string' && editorMode !== 'builder') {
    if (payload.trim() === '') return {};
    const cleaned = payload.replace(/\$\{\w+(?::\w+)?\}|\$\w+/g, (match) => {
      const replaced = interpolate(match, variables, 'json');
      return replaced.startsWith('"') && replaced.endsWith('"') ? (JSON.parse(replaced) as string) : replaced;
    });
    return JSON.parse(cleaned);
  }
  const object: Record<string, unknown> = typeof payload === 'string' ? JSON.parse(payload) : { ...(payload ?? {}) };
  for (const [key, value] of Object.entries(object)) {
    object[key] = Array.isArray(value) ? value.map((item) => interpolate(String(item), variables, 'regex')) : interpolate(String(value), variables, 'regex');
  }
  return object;
}

/** Grafana's roundInterval: the request's interval is a round figure near range / maxDataPoints. */
const roundIntervals = [10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
export function grafanaIntervalMs(rangeMs: number, maxDataPoints: number): number {
  const raw = rangeMs / maxDataPoints;
  return roundIntervals.find((step) => step >= raw) ?? roundIntervals.at(-1)!;
}

const formatInterval = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1_000 === 0 ? `${ms / 1_000}s` : `${ms}ms`);

export interface QueryOptions {
  from: Date;
  to: Date;
  raw?: { from: string; to: string };
  maxDataPoints: number;
  panelId?: number;
  adHocFilters?: { key: string; operator: string; value: string }[];
}

/** The body the plugin POSTs to /query for these targets (hidden ones and those without a target dropped). */
export function pluginQueryRequest(targets: PanelTarget[], variables: VariableValues, { from, to, raw, maxDataPoints, panelId = 1, adHocFilters = [] }: QueryOptions) {
  const intervalMs = grafanaIntervalMs(to.getTime() - from.getTime(), maxDataPoints);
  const interval = formatInterval(intervalMs);
  const range = { from: from.toISOString(), to: to.toISOString(), raw: raw ?? { from: 'now-6h', to: 'now' } };
  return {
    app: 'dashboard',
    requestId: `Q${panelId}`,
    timezone: 'browser',
    panelId,
    range,
    rangeRaw: range.raw,
    interval,
    intervalMs,
    maxDataPoints,
    targets: targets
      .filter((target) => target.target !== undefined && !target.hide)
      .map((target) => ({
        ...target,
        target: interpolate(target.target!, variables, 'regex'),
        payload: processPayload(target.payload ?? '', target.editorMode, variables),
      })),
    scopedVars: { __interval: { text: interval, value: interval }, __interval_ms: { text: String(intervalMs), value: intervalMs } },
    startTime: Date.now(),
    filters: adHocFilters,
  };
}

/** A query variable's model as dashboard JSON holds it for this plugin. */
export interface VariableModel {
  name: string;
  type: string;
  datasource?: { type?: string; uid?: string };
  query?: { query: string; format: 'string' | 'json' } | string;
}

/** The body the plugin POSTs to /variable for a query variable (VariableSupport + MetricFindQuery). */
export function pluginVariableRequest(variable: VariableModel, variables: VariableValues, { from, to }: { from: Date; to: Date }) {
  const query = typeof variable.query === 'string' ? { query: variable.query, format: 'string' as const } : variable.query!;
  const payload = query.format === 'json' ? JSON.parse(interpolate(query.query, variables, 'json')) : { target: interpolate(query.query, variables, 'regex') };
  return { payload, range: { from: from.toISOString(), to: to.toISOString(), raw: { from: 'now-6h', to: 'now' } } };
}
