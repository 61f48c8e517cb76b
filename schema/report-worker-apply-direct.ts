import { encodeGlobalID } from '@pothos/plugin-relay';
import { DateTimeResolver } from 'graphql-scalars';
import { APPLY_REPORT_DOCUMENT, APPLY_REPORT_POSTED, APPLY_REPORT_REFUSED } from '../contract/apply-report-document.ts';
import type { GraphQLContext } from '../server/graphql-context.ts';
import { isoInstant } from './iso-instant.ts';
import { localId } from './local-id.ts';

const inputFields = new Set(['workerId', 'version', 'receivedAt', 'appliedAt', 'keys', 'pendingRestart']);
const int32 = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647;
const plainText = (value: unknown): value is string => typeof value === 'string' && !value.includes('\u0000');

/** A DateTime as the schema's scalar reads it, or undefined when it would refuse it. */
function dateTime(value: unknown): Date | undefined {
  if (!plainText(value)) return undefined;
  const fast = isoInstant(value);
  if (fast) return fast;
  try {
    return DateTimeResolver.parseValue(value) as Date;
  } catch {
    return undefined;
  }
}

/**
 * The runtime agent's apply report (contract/apply-report-document.ts),
 * answered over graphql-ws without GraphQL's execution
 * (server/http/direct-operation.ts): the same call as the
 * `reportWorkerApply` resolver (schema/workers.ts), with the same answer
 * (`{ id }`). Only a report GraphQL would accept as it stands is answered
 * here: a service token (the field's auth scope), exactly the input's fields
 * with the types GraphQL coerces without change (an ID as text, an Int in
 * int4, DateTimes the scalar reads, lists of text within `maxListItems`, as
 * usePageLimits caps them), no NUL (useInputLimits) and no other variable.
 * Anything else is left to GraphQL, whose refusal is then the answer; the
 * report's own checks (ownership, order, existence) are the service's, on
 * both paths.
 */
export function reportWorkerApplyDirect({ services, maxListItems }: { services: GraphQLContext['services']; maxListItems: number }) {
  // Every agent sends its own worker's id with every report: decoded once.
  const workerIds = new Map<string, string>();
  const workerIdOf = (id: string) => {
    let local = workerIds.get(id);
    if (local === undefined) {
      if (workerIds.size >= 20_000) workerIds.clear();
      workerIds.set(id, (local = localId(id, 'Worker')));
    }
    return local;
  };
  const names = (value: unknown): value is string[] => Array.isArray(value) && value.length <= maxListItems && value.every(plainText);
  return {
    query: APPLY_REPORT_DOCUMENT,
    field: 'reportWorkerApply',
    // The agent posts its reports as pongs while its socket is up (contract/apply-report-document.ts).
    posted: { as: APPLY_REPORT_POSTED, refusedAs: APPLY_REPORT_REFUSED },
    /** The worker's id (its global id is made only for an answer: a posted report has none). */
    answer: (id: unknown) => ({ id: encodeGlobalID('Worker', id as string) }),
    run(viewer: NonNullable<GraphQLContext['viewer']>, variables: unknown): Promise<string> | undefined {
      if (viewer.kind !== 'service' || variables === null || typeof variables !== 'object') return undefined;
      const vars = variables as Record<string, unknown>;
      if (Object.keys(vars).some((name) => name !== 'input')) return undefined;
      const input = vars.input as Record<string, unknown> | null | undefined;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
      if (Object.keys(input).some((name) => !inputFields.has(name))) return undefined;
      const { workerId, version, keys, pendingRestart } = input;
      const receivedAt = dateTime(input.receivedAt);
      const appliedAt = dateTime(input.appliedAt);
      if (!plainText(workerId) || !int32(version) || !receivedAt || !appliedAt || !names(keys)) return undefined;
      if (pendingRestart !== undefined && pendingRestart !== null && !names(pendingRestart)) return undefined;
      const report = {
        workerId: workerIdOf(workerId), version, receivedAt, appliedAt, keys,
        ...(pendingRestart !== undefined ? { pendingRestart } : {}),
      };
      return services.workers.recordApply(viewer, report);
    },
  };
}
