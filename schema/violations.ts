import type { Violation } from '../contract/validation/index.ts';
import { builder } from './builder.ts';

/** One offending field or rule, as VALIDATION_FAILED lists them and as live checks return them. */
export const ViolationRef = builder.objectRef<Violation>('Violation').implement({
  fields: (t) => ({
    code: t.exposeString('code'),
    message: t.exposeString('message'),
    parameter: t.exposeString('parameter', { nullable: true }),
    rule: t.exposeString('rule', { nullable: true }),
    field: t.exposeString('field', { nullable: true, description: 'The input field concerned, when it is not a parameter (e.g. reason, maxValue).' }),
    environment: t.exposeString('environment', { nullable: true, description: 'The environment whose current values the violation concerns.' }),
  }),
});

/** A before/after pair of one parameter. */
export interface ValueDiff {
  name: string;
  before: string | null;
  after: string | null;
}

export const ValueDiffRef = builder.objectRef<ValueDiff>('ValueDiff').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    before: t.exposeString('before', { nullable: true }),
    after: t.exposeString('after', { nullable: true }),
  }),
});

/** Every name whose value differs between two snapshots, sorted. */
export function diffSnapshots(from: Record<string, string>, to: Record<string, string>): ValueDiff[] {
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return names
    .filter((name) => from[name] !== to[name])
    .map((name) => ({ name, before: from[name] ?? null, after: to[name] ?? null }));
}
