import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ComponentType } from 'react';
import { Provider, type Client } from 'urql';
import { Redirect, Route, Switch } from 'wouter';
import { Loading } from '../components/status.tsx';
import { AppShell } from './app-shell.tsx';
import { createUrqlClient } from './create-urql-client.ts';
import { SessionContext } from './session-context.ts';
import { fetchSession, signOut as endSession, type SessionUser } from './session-api.ts';
import { SignInPage } from './sign-in-page.tsx';

// Every page is its own chunk: the initial bundle is the shell and sign-in.
// The editor is the landing page, so its chunk is fetched alongside the
// session check (and while the sign-in form is shown) rather than after it:
// rendering a lazy page that is already loaded does not suspend, which also
// spares React's 300 ms throttle on revealing a Suspense boundary's content.
type EditorProps = { environment: string };
type EditorModule = { default: ComponentType<EditorProps>; prefetchEditorData(client: Client, environment: string): void };
let editorModule: EditorModule | undefined;
let editorImport: Promise<EditorModule> | undefined;
const importEditor = () => (editorImport ??= import('../pages/editor/editor-page.tsx').then((m) => (editorModule = m)));
const LazyEditorPage = lazy(importEditor);
function EditorPage(props: EditorProps) {
  const Loaded = editorModule?.default;
  return Loaded ? <Loaded {...props} /> : <LazyEditorPage {...props} />;
}
const editorEnvironment = (path: string) => (path === '/' ? 'dev' : /^\/config\/([^/]+)/.exec(path)?.[1]);
const AuditPage = lazy(() => import('../pages/audit/audit-page.tsx'));
const AuditEventsPage = lazy(() => import('../pages/audit-events/audit-events-page.tsx'));
const ApprovalsPage = lazy(() => import('../pages/approvals/approvals-page.tsx'));
const EnvironmentsPage = lazy(() => import('../pages/environments/environments-page.tsx'));
const DashboardPage = lazy(() => import('../pages/dashboard/dashboard-page.tsx'));
const CatalogAdminPage = lazy(() => import('../pages/catalog-admin/catalog-admin-page.tsx'));
const RunsPage = lazy(() => import('../pages/runs/runs-page.tsx'));
const RunPage = lazy(() => import('../pages/run/run-page.tsx'));
const ComparePage = lazy(() => import('../pages/compare/compare-page.tsx'));

type SessionState = { status: 'loading' } | { status: 'signed-out'; expired: boolean } | { status: 'signed-in'; user: SessionUser } | { status: 'error'; message: string };

export function App() {
  const [session, setSession] = useState<SessionState>({ status: 'loading' });

  const check = useCallback(() => {
    const editorFirst = editorEnvironment(window.location.pathname) !== undefined;
    Promise.all([fetchSession(), editorFirst ? importEditor().catch(() => undefined) : undefined]).then(
      ([user]) => setSession(user ? { status: 'signed-in', user } : { status: 'signed-out', expired: false }),
      (error: unknown) => setSession({ status: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  useEffect(check, [check]);

  const signedInUser = session.status === 'signed-in' ? session.user : null;
  const client = useMemo(() => {
    if (!signedInUser) return null;
    const created = createUrqlClient({ onUnauthenticated: () => setSession({ status: 'signed-out', expired: true }) });
    // Prefetch the editor's one query the moment the session is known (on load
    // or on sign-in): the page's useQuery joins this in-flight operation. The
    // document comes with the editor chunk, keeping it out of the initial bundle.
    const environment = editorEnvironment(window.location.pathname);
    if (environment !== undefined) void importEditor().then((m) => m.prefetchEditorData(created, decodeURIComponent(environment)), () => undefined);
    return created;
  }, [signedInUser]);

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
    void importEditor().catch(() => undefined);
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
              <Route path="/audit"><AuditEventsPage /></Route>
              <Route path="/approvals"><ApprovalsPage /></Route>
              <Route path="/environments"><EnvironmentsPage /></Route>
              <Route path="/dashboard"><DashboardPage /></Route>
              <Route path="/runs"><RunsPage /></Route>
              <Route path="/runs/compare"><ComparePage /></Route>
              <Route path="/runs/:id">{(params) => <RunPage key={params.id} id={decodeURIComponent(params.id)} />}</Route>
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
