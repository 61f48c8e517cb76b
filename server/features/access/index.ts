// The access slice's face: users, service tokens, and the authorisation
// policy every other slice and the schema apply (roles, environment reads).
export type { CreateUserInput, IssuedToken, SetPasswordInput, UpdateUserInput } from './access-service.ts';
export { createAccessService, type AccessService } from './access-service.ts';
export { createAccessReads, type AccessReads, type ServiceTokenFilter } from './access-reads.ts';
export { createSignInLockoutRecorder } from './sign-in-lockouts.ts';
export { assertIndependentAccounts, type AccountHolders } from './account-independence.ts';
export type { Operator, Viewer } from '../../auth/index.ts';
export { actorName, assertEnvironmentReadable, canReadEnvironment, hasRole, requireRole } from '../../auth/index.ts';
