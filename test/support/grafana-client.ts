import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { requestSchema, responseSchema, schemaErrors } from './grafana-api-schemas.ts';
import { pluginQueryRequest, type PanelTarget } from './grafana-plugin.ts';
import { authorizationFor, type TestUser } from './start-test-app.ts';

// The /grafana API as the datasource calls it, every request and answer held
// to our OpenAPI definition (monitoring/grafana/datasource-api.openapi.yaml).

export interface TimeSeries { target: string; datapoints: [number, number][] }
export interface Table { type: 'table'; columns: { text: string; type?: string }[]; rows: (string | number | null)[][] }
export type Answer = TimeSeries | Table;

export const isTable = (answer: Answer): answer is Table => 'type' in answer && answer.type === 'table';
/** A table's rows as objects by column name. */
export const rowsOf = (table: Table) => table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.text, row[i]])));
/** A builder-mode panel target. */
export const target = (name: string, payload: Record<string, unknown> = {}): PanelTarget => ({ refId: 'A', editorMode: 'builder', target: name, payload });

export function expectValid(validate: ValidateFunction, value: unknown, what: string) {
  const errors = schemaErrors(validate, value);
  expect(errors, `${what}: ${errors}`).toBeNull();
}

export interface QueryOptions {
  from?: Date;
  to?: Date;
  maxDataPoints?: number;
  filters?: { key: string; operator: string; value: string }[];
  token?: string;
  url?: string;
}

/** A client of one server's /grafana with a default token. */
export function grafanaClient({ url: defaultUrl, token: defaultToken }: { url: () => string; token: () => string }) {
  /** A call as the datasource makes it: JSON body, the token in X-UCP-Token (or any other credential). */
  async function call(route: string, { body, token, as, url = defaultUrl() }: { body?: unknown; token?: string | null; as?: TestUser; url?: string } = {}) {
    const authorization = as === undefined ? undefined : authorizationFor(as);
    const response = await fetch(`${url}/grafana${route}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { 'x-ucp-token': token } : {}),
        ...(authorization ? { authorization } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as any };
  }

  /** POSTs a request after checking it against our definition of the request body, and checks the 200 answer. */
  async function post(route: string, body: unknown, token = defaultToken(), url = defaultUrl()): Promise<any> {
    const request = requestSchema(route);
    if (request) expectValid(request, body, `request to ${route}`);
    const { status, json } = await call(route, { body, token, url });
    expect(status, JSON.stringify(json)).toBe(200);
    expectValid(responseSchema(route, 'post'), json, `answer of ${route}`);
    return json;
  }

  /** /query for these targets as the plugin sends it (the last six hours unless told). */
  function query(targets: PanelTarget[], { from, to = new Date(), maxDataPoints = 500, filters, token, url }: QueryOptions = {}): Promise<Answer[]> {
    const body = pluginQueryRequest(targets, {}, { from: from ?? new Date(to.getTime() - 6 * 3600_000), to, maxDataPoints, adHocFilters: filters });
    return post('/query', body, token, url);
  }

  return { call, post, query };
}
