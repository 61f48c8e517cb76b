import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Provider } from 'urql';
import { Redirect, Route, Switch } from 'wouter';
import { Loading } from '../components/status.tsx';
import { AppShell } from './app-shell.tsx';
import { createUrqlClient } from './create-urql-client.ts';
import { SessionContext } from './session-context.ts';
import { fetchSession, signOut as endSession, type SessionUser } from './session-api.ts';
import { SignInPage } from './sign-in-page.tsx';

// Every page is its own chunk: the initial bundle is the shell and sign-in.
const EditorPage = lazy(() => import('../pages/editor/editor-page.tsx'));
const AuditPage = lazy(() => import('../pages/audit/audit-page.tsx'));
const ApprovalsPage = lazy(() => import('../pages/approvals/approvals-page.tsx'));
const EnvironmentsPage = lazy(() => import('../pages/environments/environments-page.tsx'));
const DashboardPage = lazy(() => import('../pages/dashboard/dashboard-page.tsx'));
const CatalogAdminPage = lazy(() => import('../pages/catalog-admin/catalog-admin-page.tsx'));

type SessionState = { status: 'loading' } | { status: 'signed-out'; expired: boolean } | { status: 'signed-in'; user: SessionUser } | { status: 'error'; message: string };

export function App() {
  const [session, setSession] = useState<SessionState>({ status: 'loading' });

  const check = useCallback(() => {
    fetchSession().then(
      (user) => setSession(user ? { status: 'signed-in', user } : { status: 'signed-out', expired: false }),
      (error: unknown) => setSession({ status: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  useEffect(check, [check]);

  const signedInUser = session.status === 'signed-in' ? session.user : null;
  const client = useMemo(
    () => (signedInUser ? createUrqlClient({ onUnauthenticated: () => setSession({ status: 'signed-out', expired: true }) }) : null),
    [signedInUser],
  );

  if (session.status === 'loading') return <Loading label="Checking your session…" />;
  if (session.status === 'error') {
    return (
      <main className="centered">
        <p role="alert">{session.message}</p>
        <button type="button" onClick={check}>Try again</button>
      </main>
    );
  }
  if (session.status === 'signed-out' || !client || !signedInUser) {
    return <SignInPage expired={session.status === 'signed-out' && session.expired} onSignedIn={(user) => setSession({ status: 'signed-in', user })} />;
  }

  const signOut = async () => {
    await endSession();
    setSession({ status: 'signed-out', expired: false });
  };

  return (
    <SessionContext.Provider value={{ user: signedInUser, signOut }}>
      <Provider value={client}>
        <AppShell>
          <Suspense fallback={<Loading label="Loading page…" />}>
            <Switch>
              <Route path="/config/:env">{(params) => <EditorPage environment={params.env} />}</Route>
              <Route path="/history/:env">{(params) => <AuditPage environment={params.env} />}</Route>
              <Route path="/approvals"><ApprovalsPage /></Route>
              <Route path="/environments"><EnvironmentsPage /></Route>
              <Route path="/dashboard"><DashboardPage /></Route>
              <Route path="/admin/catalog"><CatalogAdminPage /></Route>
              <Route path="/"><Redirect to="/config/dev" replace /></Route>
              <Route>
                <main id="main" className="page">
                  <h1>Page not found</h1>
                  <p>There is no page at this address. Use the navigation above.</p>
                </main>
              </Route>
            </Switch>
          </Suspense>
        </AppShell>
      </Provider>
    </SessionContext.Provider>
  );
}
