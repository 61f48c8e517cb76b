import { z } from 'zod';
import { badRequest } from '../../errors/index.ts';
import {
  filterDimensions, matchOperators, noFilter, timeBuckets,
  type FilterDimension, type Match, type MatchOperator, type ObservabilityFilter, type RowWindow, type TimeBuckets,
} from '../../features/observability/index.ts';

// The request bodies the JSON datasource plugin sends, as far as we read
// them (monitoring/grafana/datasource-api.openapi.yaml). Objects stay open:
// Grafana adds fields of its own (requestId, timezone, app, …).

const adHocFilter = z.looseObject({ key: z.string(), operator: z.string(), value: z.string() });
const payloadObject = z.record(z.string(), z.unknown());

export const queryBody = z.looseObject({
  range: z.looseObject({ from: z.string(), to: z.string() }).optional(),
  intervalMs: z.number().optional(),
  maxDataPoints: z.number().optional(),
  targets: z.array(z.looseObject({ target: z.string(), refId: z.string().optional(), payload: payloadObject.optional() })).optional(),
  filters: z.array(adHocFilter).optional(),
  // Grafana before 10.3 called them adhocFilters.
  adhocFilters: z.array(adHocFilter).optional(),
});

export const variableBody = z.looseObject({
  payload: z.looseObject({ target: z.string() }),
  range: z.looseObject({ from: z.string().optional(), to: z.string().optional() }).optional(),
});

export const metricsBody = z.looseObject({ metric: z.string().optional(), payload: payloadObject.optional() });
export const payloadOptionsBody = z.looseObject({ metric: z.string(), payload: payloadObject, name: z.string() });
export const tagValuesBody = z.looseObject({ key: z.string() });

/** The body as the schema reads it, or BAD_REQUEST naming the first offending field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  throw badRequest(`${field || 'The body'}: ${issue.message}`, field ? { field } : {});
}

/** The rows a table of history holds at most, newest first. */
export const maxHistoryRows = 1000;
const defaultRangeMs = 6 * 3600 * 1000;

function date(value: string, field: string): Date {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw badRequest(`${field} is not a date-time: ${value}.`, { field });
  return parsed;
}

/** What every target of one /query shares: its buckets, its history window, and the dashboard's ad hoc filters. */
export interface QueryScope {
  buckets: TimeBuckets;
  window: RowWindow;
  filter: ObservabilityFilter;
}

function isOperator(operator: string): operator is MatchOperator {
  return (matchOperators as readonly string[]).includes(operator);
}

/** Grafana's ad hoc filters as conditions; an unknown key or operator is the caller's mistake. */
export function adHocMatches(filters: readonly z.infer<typeof adHocFilter>[]): ObservabilityFilter {
  const filter = noFilter();
  for (const { key, operator, value } of filters) {
    if (!(filterDimensions as readonly string[]).includes(key)) throw badRequest(`There is no ad hoc filter on ${key}; use ${filterDimensions.join(', ')}.`, { field: 'filters' });
    if (!isOperator(operator)) throw badRequest(`The ad hoc filter operator ${operator} is not supported; use ${matchOperators.join(' ')}.`, { field: 'filters' });
    filter[key as FilterDimension].push({ operator, value });
  }
  return filter;
}

/** The range (default: the last six hours), its buckets, and the ad hoc filters of a /query. */
export function queryScope(body: z.infer<typeof queryBody>, now = new Date()): QueryScope {
  const to = body.range ? date(body.range.to, 'range.to') : now;
  const from = body.range ? date(body.range.from, 'range.from') : new Date(to.getTime() - defaultRangeMs);
  if (from.getTime() >= to.getTime()) throw badRequest('range.from must be before range.to.', { field: 'range' });
  if (body.maxDataPoints !== undefined && !(body.maxDataPoints >= 1)) throw badRequest('maxDataPoints must be at least 1.', { field: 'maxDataPoints' });
  if (body.intervalMs !== undefined && !(body.intervalMs >= 0)) throw badRequest('intervalMs cannot be negative.', { field: 'intervalMs' });
  return {
    buckets: timeBuckets({ from, to, intervalMs: body.intervalMs, maxDataPoints: body.maxDataPoints }),
    window: { from, to, limit: maxHistoryRows },
    filter: adHocMatches(body.filters ?? body.adhocFilters ?? []),
  };
}

/**
 * A payload value as a condition. The plugin interpolates a panel's
 * variables into its payload in regex format (`dev`, `(dev|prod)`), so a
 * value is a pattern of whole names; a list is any of its patterns; empty
 * means no condition.
 */
export function payloadMatch(value: unknown, field: string): Match[] {
  const patterns = (Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]).map((item) => {
    if (typeof item !== 'string') throw badRequest(`payload.${field} holds names or patterns (strings).`, { field: `payload.${field}` });
    return item.trim();
  }).filter((item) => item !== '');
  return patterns.length === 0 ? [] : [{ operator: '=~', value: patterns.map((p) => `(?:${p})`).join('|') }];
}

/** The ad hoc filters with a target's own payload conditions (environment, worker) added. */
export function withPayload(filter: ObservabilityFilter, payload: Record<string, unknown> | undefined): ObservabilityFilter {
  return {
    ...filter,
    environment: [...filter.environment, ...payloadMatch(payload?.environment, 'environment')],
    worker: [...filter.worker, ...payloadMatch(payload?.worker, 'worker')],
  };
}

/** Exact names from a variable query's payload (JSON format gives a string or a list of them). */
export function exactNames(value: unknown, field: string): Match[] {
  const names = Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];
  if (names.some((name) => typeof name !== 'string')) throw badRequest(`payload.${field} holds names (strings).`, { field: `payload.${field}` });
  if (names.length === 0) return [];
  // One condition "any of these names": as an alternation of quoted literals.
  return [{ operator: '=~', value: (names as string[]).map((name) => name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|') }];
}
