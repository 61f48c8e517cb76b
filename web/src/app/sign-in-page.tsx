import { useState, type FormEvent } from 'react';
import { signIn, SignInError, type SessionUser } from './session-api.ts';

export function SignInPage({ expired, onSignedIn }: { expired: boolean; onSignedIn: (user: SessionUser) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '').trim();
    const password = String(form.get('password') ?? '');
    if (!username || !password) {
      setError('Enter your user name and your password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(username, password));
    } catch (caught) {
      setError(caught instanceof SignInError ? caught.message : 'The server could not be reached. Try again.');
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <h1>UCP console</h1>
      <p className="muted">Unified Configuration Platform: sign in to continue.</p>
      {expired && <p className="notice" role="status">Your session has ended. Sign in again.</p>}
      <form onSubmit={submit} noValidate aria-describedby={error ? 'sign-in-error' : undefined}>
        <label htmlFor="username">User name</label>
        <input id="username" name="username" autoComplete="username" autoFocus required />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        {error && <p id="sign-in-error" className="field-error" role="alert">{error}</p>}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
