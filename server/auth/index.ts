// The face of authentication and authorisation: who is calling (Viewer),
// what their role allows, which environments they may read, and the
// authenticator that turns credentials into a Viewer. Everything outside
// server/auth imports it from here.
export type { Operator, Viewer } from './viewer.ts';
export { actorName, hasRole, requireRole } from './viewer.ts';
export { assertEnvironmentReadable, canReadEnvironment } from './environment-access.ts';
export type { Authenticator, CredentialSource, SignedIn } from './authenticator.ts';
export { createAuthenticator, csrfCookieName, csrfHeaderName, sessionCookieName } from './authenticator.ts';
export type { PasswordHasher } from './password-hasher.ts';
export { createSignInThrottle, type SignInAttempt, type SignInLockout, type SignInThrottle, type SignInThrottleOptions } from './sign-in-throttle.ts';
export { createCredentialWatch, type CredentialChange, type CredentialWatch, type Watched } from './credential-watch.ts';
export { createPasswordHasher } from './password-hasher.ts';
export { generateSecret, hashSecret } from './secret-token.ts';
export { createVerifiedSessions, type VerifiedSession, type VerifiedSessions } from './verified-sessions.ts';
export { createVerifiedTokens, type VerifiedTokens } from './verified-tokens.ts';
