import {
  ChangeRequestStatus, ParameterCategory, ParameterType, Role, RunKind, RunStatus, VersionKind, WorkerStatus,
} from '../server/generated/prisma/enums.ts';
import { auditSubjectKinds } from '../contract/audit-actions.ts';
import { builder } from './builder.ts';

// The database enums, exposed under the same names (one source of truth).
export const RoleEnum = builder.enumType(Role, { name: 'Role' });
export const ParameterTypeEnum = builder.enumType(ParameterType, { name: 'ParameterType' });
export const ParameterCategoryEnum = builder.enumType(ParameterCategory, { name: 'ParameterCategory' });
export const VersionKindEnum = builder.enumType(VersionKind, { name: 'VersionKind' });
export const ChangeRequestStatusEnum = builder.enumType(ChangeRequestStatus, { name: 'ChangeRequestStatus' });
export const RunKindEnum = builder.enumType(RunKind, { name: 'RunKind' });
export const RunStatusEnum = builder.enumType(RunStatus, { name: 'RunStatus' });
export const WorkerStatusEnum = builder.enumType(WorkerStatus, { name: 'WorkerStatus' });

/** What an audit event is about (the contract's list: contract/audit-actions.ts). */
export const AuditSubjectKindEnum = builder.enumType('AuditSubjectKind', {
  values: auditSubjectKinds,
  description: 'What an audit event\'s subject names: a config version (environment + configVersion), a change request, a catalog entry (its name), a rule, a freeze window, a parameter set (its hash), a run, a user, a service token, a worker; SIGN_IN for sign-in throttling.',
});
