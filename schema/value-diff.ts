import type { ValueDiff } from '../server/features/configuration/index.ts';
import { builder } from './builder.ts';

/** A before/after pair of one parameter: version diffs, change-request diffs, live events, parameter-set comparisons. */
export const ValueDiffRef = builder.objectRef<ValueDiff>('ValueDiff').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    before: t.exposeString('before', { nullable: true }),
    after: t.exposeString('after', { nullable: true }),
  }),
});
