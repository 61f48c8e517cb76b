import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { hasRole } from './session-api.ts';
import { useSession } from './session-context.ts';

const roleLabel = { VIEWER: 'viewer', EDITOR: 'editor', APPROVER: 'approver', ADMIN: 'admin' } as const;

/** The frame of every page: who is signed in (name and role, always visible), navigation, sign out. */
export function AppShell({ children }: { children: ReactNode }) {
  const { user, signOut } = useSession();
  const [location] = useLocation();
  const env = /^\/(?:config|history)\/([^/]+)/.exec(location)?.[1] ?? 'dev';
  const links = [
    { href: `/config/${env}`, label: 'Parameters', match: '/config/' },
    { href: `/history/${env}`, label: 'Versions', match: '/history/' },
    { href: '/audit', label: 'Audit trail', match: '/audit' },
    { href: '/runs', label: 'Runs', match: '/runs' },
    { href: '/approvals', label: 'Approvals', match: '/approvals' },
    { href: '/environments', label: 'Environments', match: '/environments' },
    { href: '/dashboard', label: 'Workers', match: '/dashboard' },
    ...(hasRole(user, 'ADMIN') ? [{ href: '/admin/catalog', label: 'Catalog', match: '/admin/catalog' }] : []),
  ];
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="topbar">
        <span className="brand">UCP</span>
        <nav aria-label="Main">
          <ul>
            {links.map((link) => (
              <li key={link.href}>
                <Link href={link.href} aria-current={location.startsWith(link.match) ? 'page' : undefined}>{link.label}</Link>
              </li>
            ))}
            {/* Served by the API itself (not a console route): a full page load. */}
            <li><a href="/graphql">GraphiQL</a></li>
          </ul>
        </nav>
        <div className="who" data-testid="signed-in-user">
          <span>{user.displayName}</span> <span className="role-badge">{roleLabel[user.role]}</span>
          <button type="button" className="link-button" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      {children}
    </>
  );
}
