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
