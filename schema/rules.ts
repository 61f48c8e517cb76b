import type { RuleCheck } from '../server/features/rules/index.ts';
import { builder } from './builder.ts';
import { localId } from './local-id.ts';
import { uuidWhere } from './uuid-where.ts';
import { ViolationRef } from './violations.ts';

// Cross-parameter rules: CEL over `params` that every save must satisfy.
// Readable by every signed-in caller (a worker may want to know why a value
// is what it is); written by admins only; never deleted, only disabled.

builder.prismaNode('Rule', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  description: 'A cross-parameter rule: a CEL expression over `params` (every parameter\'s typed value) that must be true for a save to go through.',
  fields: (t) => ({
    name: t.exposeString('name'),
    expression: t.exposeString('expression'),
    message: t.exposeString('message', { description: 'What an operator reads when a save breaks the rule.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Disabled rules are kept (and can be enabled again) but bind no save.' }),
    revision: t.exposeInt('revision', { description: 'Bumped by every change; updateRule names the revision read.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

const RuleCheckRef = builder.objectRef<RuleCheck>('RuleCheck').implement({
  description: 'How one environment\'s active values fare against a rule.',
  fields: (t) => ({
    environment: t.exposeString('environment', { description: 'The environment name.' }),
    passed: t.exposeBoolean('passed'),
    violation: t.field({ type: ViolationRef, nullable: true, description: 'Why not, when it did not pass (INVALID_EXPRESSION when the expression does not compile).', resolve: (c) => c.violation }),
  }),
});


builder.queryFields((t) => ({
  rules: t.prismaField({
    type: ['Rule'],
    description: 'Every rule, enabled or not, by name.',
    resolve: (query, _root, _args, { reads }) => reads.rules.list(query),
  }),
  checkRule: t.field({
    type: [RuleCheckRef],
    // Operators read every environment anyway; a service token is held to its own and gets no cross-environment answer.
    authScopes: { viewer: true },
    description: 'Live check of a rule being written, against each environment\'s active values. Writes nothing.',
    args: {
      expression: t.arg.string({ required: true, description: 'CEL over `params`.' }),
      message: t.arg.string({ required: false, description: 'The message to show in the violations.' }),
      name: t.arg.string({ required: false, description: 'The rule name to show in the violations.' }),
    },
    resolve: (_root, args, { services }) => services.rules.check(args),
  }),
}));

const CreateRuleInput = builder.inputType('CreateRuleInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'The permanent id: ^[a-z0-9][a-z0-9-]*$, e.g. fee-maker-not-above-taker.' }),
    expression: t.string({ required: true, description: 'CEL over `params`; must compile and evaluate to true for every environment\'s values today.' }),
    message: t.string({ required: true, description: 'What an operator reads when a save breaks the rule.' }),
    enabled: t.boolean({ required: false, description: 'Default true. Create it disabled to stage a rule today\'s values still break.' }),
    reason: t.string({ required: true, description: 'Why (required, kept in the audit trail).' }),
  }),
});

const UpdateRuleInput = builder.inputType('UpdateRuleInput', {
  description: 'Fields left out keep their value. Rules are never deleted: set enabled to false instead.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The rule id (uuid or global id).' }),
    expectedRevision: t.int({ required: true, description: 'The revision you read; a stale one gets VERSION_CONFLICT with the current revision.' }),
    expression: t.string({ required: false }),
    message: t.string({ required: false }),
    enabled: t.boolean({ required: false, description: 'Enabling is refused while an environment\'s values break the rule.' }),
    reason: t.string({ required: true, description: 'Why (required, kept in the audit trail).' }),
  }),
});

builder.mutationFields((t) => ({
  createRule: t.prismaField({
    type: 'Rule',
    authScopes: { admin: true },
    description: 'Adds a rule (revision 1); refused when it does not compile or, enabled, when an environment\'s values break it today.',
    args: { input: t.arg({ type: CreateRuleInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const rule = await services.rules.create(viewer!, input);
      return reads.rules.existing(query, rule.id);
    },
  }),
  updateRule: t.prismaField({
    type: 'Rule',
    authScopes: { admin: true },
    description: 'Changes a rule\'s expression, message or enabled flag as a new revision, under the same checks as createRule.',
    args: { input: t.arg({ type: UpdateRuleInput, required: true }) },
    resolve: async (query, _root, { input }, { reads, services, viewer }) => {
      const rule = await services.rules.update(viewer!, { ...input, id: localId(input.id, 'Rule') });
      return reads.rules.existing(query, rule.id);
    },
  }),
}));
