// The session endpoint (server/http/session-route.ts): POST signs in and sets
// an HttpOnly session cookie plus the readable `ucp_csrf` cookie, GET says who
// the cookie belongs to (200 `{ signedIn: false, user: null }` when nobody is:
// no 401 in the browser's console on every first load), DELETE signs out.

export type Role = 'VIEWER' | 'EDITOR' | 'APPROVER' | 'ADMIN';

export interface SessionUser {
  username: string;
  displayName: string;
  role: Role;
}

export const csrfCookieName = 'ucp_csrf';

/** The CSRF token the server set for this session; every state-changing request echoes it. */
export function readCsrfToken(): string {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === csrfCookieName) return decodeURIComponent(rest.join('='));
  }
  return '';
}

/** The signed-in user, or null when the cookie is missing or expired. */
export async function fetchSession(): Promise<SessionUser | null> {
  const response = await fetch('/auth/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The server answered ${response.status} when asked who is signed in.`);
  const body = (await response.json()) as { signedIn: boolean; user: SessionUser | null };
  return body.signedIn ? body.user : null;
}

export class SignInError extends Error {}

export async function signIn(username: string, password: string): Promise<SessionUser> {
  const response = await fetch('/auth/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json().catch(() => ({}))) as { user?: SessionUser; error?: { code: string; message: string } };
  if (!response.ok || !body.user) {
    if (response.status === 401 || body.error?.code === 'UNAUTHENTICATED') throw new SignInError('The user name or the password is wrong.');
    throw new SignInError(body.error?.message ?? `Signing in failed (HTTP ${response.status}). Try again.`);
  }
  return body.user;
}

export async function signOut(): Promise<void> {
  await fetch('/auth/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'x-csrf-token': readCsrfToken(), accept: 'application/json' },
  });
}

const rank: Record<Role, number> = { VIEWER: 0, EDITOR: 1, APPROVER: 2, ADMIN: 3 };

/** Roles are cumulative on the server (server/auth/viewer.ts); the console mirrors that to hide what a role may not do. */
export function hasRole(user: SessionUser | null, minimum: Role): boolean {
  return user !== null && rank[user.role] >= rank[minimum];
}
