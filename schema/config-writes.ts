import type { WriteOutcome } from '../server/features/configuration/index.ts';
import { builder } from './builder.ts';

const WriteOutcomeEnum = builder.enumType('WriteOutcome', {
  values: { APPLIED: { description: 'A new version is active.' }, PENDING_APPROVAL: { description: 'A critical change waits for a second person.' } },
});

const ConfigWritePayload = builder.objectRef<WriteOutcome>('ConfigWritePayload').implement({
  fields: (t) => ({
    outcome: t.field({ type: WriteOutcomeEnum, resolve: (o) => o.status }),
    version: t.prismaField({ type: 'ConfigVersion', nullable: true, resolve: (_q, o) => (o.status === 'APPLIED' ? o.version : null) }),
    changeRequest: t.prismaField({ type: 'ChangeRequest', nullable: true, resolve: (_q, o) => (o.status === 'PENDING_APPROVAL' ? o.changeRequest : null) }),
  }),
});

export const ParameterValueInput = builder.inputType('ParameterValueInput', {
  fields: (t) => ({ name: t.string({ required: true }), value: t.string({ required: true }) }),
});

const commonWriteFields = {
  expectedVersion: 'The active version you read; a stale one gets VERSION_CONFLICT with the current version.',
  reason: 'Why (required, shown in the audit trail).',
  submitForApproval: 'When a critical parameter is touched: true submits a change request, false (default) fails with APPROVAL_REQUIRED.',
};

const UpdateConfigInput = builder.inputType('UpdateConfigInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    expectedVersion: t.int({ required: true, description: commonWriteFields.expectedVersion }),
    reason: t.string({ required: true, description: commonWriteFields.reason }),
    changes: t.field({ type: [ParameterValueInput], required: true }),
    submitForApproval: t.boolean({ required: false, description: commonWriteFields.submitForApproval }),
  }),
});

const RestoreConfigInput = builder.inputType('RestoreConfigInput', {
  fields: (t) => ({
    environment: t.string({ required: true }),
    version: t.int({ required: true, description: 'The earlier version whose values become active again (as a new version).' }),
    expectedVersion: t.int({ required: true, description: commonWriteFields.expectedVersion }),
    reason: t.string({ required: true, description: commonWriteFields.reason }),
    submitForApproval: t.boolean({ required: false, description: commonWriteFields.submitForApproval }),
  }),
});

const PromoteConfigInput = builder.inputType('PromoteConfigInput', {
  fields: (t) => ({
    from: t.string({ required: true }),
    to: t.string({ required: true }),
    names: t.stringList({ required: true }),
    expectedVersion: t.int({ required: true, description: 'The active version of the target environment you read.' }),
    reason: t.string({ required: true, description: commonWriteFields.reason }),
    submitForApproval: t.boolean({ required: false, description: commonWriteFields.submitForApproval }),
  }),
});

builder.mutationFields((t) => ({
  updateConfig: t.field({
    type: ConfigWritePayload,
    authScopes: { editor: true },
    description: 'Changes any number of parameters of one environment atomically, as one new version.',
    args: { input: t.arg({ type: UpdateConfigInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.config.update(viewer!, input),
  }),
  restoreConfigVersion: t.field({
    type: ConfigWritePayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: RestoreConfigInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.config.restore(viewer!, input),
  }),
  promoteConfig: t.field({
    type: ConfigWritePayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: PromoteConfigInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.config.promote(viewer!, input),
  }),
}));
