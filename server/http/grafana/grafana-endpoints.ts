import type { Viewer } from '../../auth/index.ts';
import { badRequest } from '../../errors/index.ts';
import { filterDimensions, noFilter, type FilterDimension, type ObservabilityReads } from '../../features/observability/index.ts';
import type { QueryAnswer } from './grafana-answers.ts';
import {
  exactNames, metricsBody, parseBody, payloadMatch, payloadOptionsBody, queryBody, queryScope, tagValuesBody, variableBody, withPayload,
} from './grafana-request.ts';
import { findTarget, grafanaTargets } from './grafana-targets.ts';

/** What an endpoint reads: the caller, the parsed JSON body (POST), and the read model. */
export interface EndpointContext {
  viewer: Viewer;
  body: unknown;
  observability: ObservabilityReads;
}

export interface GrafanaEndpoint {
  method: 'GET' | 'POST';
  handle(context: EndpointContext): Promise<unknown>;
}

/** A variable's or a filter value's item: text and value, also as the plugin's __text/__value fields. */
const option = (name: string) => ({ text: name, value: name, __text: name, __value: name });

/** The values the query editor, variables and ad hoc filters offer for one dimension. */
async function namesOf(dimension: FilterDimension, { viewer, observability }: EndpointContext, environment = noFilter().environment): Promise<string[]> {
  switch (dimension) {
    case 'environment': return observability.environmentNames(viewer);
    case 'worker': return observability.workerNames(viewer, { ...noFilter(), environment });
    case 'parameter': return observability.parameterNames();
    case 'category': return observability.categories();
  }
}

/** The datasource's API, by path under /grafana (monitoring/grafana/datasource-api.openapi.yaml). */
export const grafanaEndpoints: Record<string, GrafanaEndpoint> = {
  /** Test connection: the credential works (which environments it reads is in the answer). */
  '/': {
    method: 'GET',
    handle: async ({ viewer, observability }) => ({ status: 'ok', environments: await observability.environmentNames(viewer) }),
  },

  '/metrics': {
    method: 'POST',
    async handle({ body }) {
      parseBody(metricsBody, body);
      return grafanaTargets.map(({ value, label, payloads }) => ({ value, label, payloads }));
    },
  },

  '/metric-payload-options': {
    method: 'POST',
    async handle(context) {
      const { metric, payload, name } = parseBody(payloadOptionsBody, context.body);
      const target = findTarget(metric);
      const described = target.payloads.find((p) => p.name === name);
      if (!described) throw badRequest(`${metric} has no payload ${name}.`, { field: 'name' });
      if (described.options) return described.options;
      // The payloads without fixed options are the environment and worker selects.
      const names = await namesOf(name as FilterDimension, context, payloadMatch(payload.environment, 'environment'));
      return names.map((value) => ({ label: value, value }));
    },
  },

  '/query': {
    method: 'POST',
    async handle({ viewer, body, observability }) {
      const request = parseBody(queryBody, body);
      const scope = queryScope(request);
      const answers: QueryAnswer[][] = [];
      for (const { target, payload = {} } of request.targets ?? []) {
        answers.push(await findTarget(target).answer({ observability, viewer, scope, payload, filter: withPayload(scope.filter, payload) }));
      }
      return answers.flat();
    },
  },

  /** Variable queries: `environments`, or `workers` (optionally of the environments named in the payload). */
  '/variable': {
    method: 'POST',
    async handle(context) {
      const { payload } = parseBody(variableBody, context.body);
      const target = payload.target.trim();
      if (target === 'environments') return (await namesOf('environment', context)).map(option);
      if (target === 'workers') return (await namesOf('worker', context, exactNames(payload.environment, 'environment'))).map(option);
      throw badRequest(`Unknown variable query ${target}; use environments or workers.`, { field: 'payload.target' });
    },
  },

  '/tag-keys': {
    method: 'POST',
    handle: async () => filterDimensions.map((key) => ({ type: 'string', text: key })),
  },

  '/tag-values': {
    method: 'POST',
    async handle(context) {
      const { key } = parseBody(tagValuesBody, context.body);
      if (!(filterDimensions as readonly string[]).includes(key)) throw badRequest(`There is no ad hoc filter on ${key}; use ${filterDimensions.join(', ')}.`, { field: 'key' });
      return (await namesOf(key as FilterDimension, context)).map((text) => ({ text }));
    },
  },
};
