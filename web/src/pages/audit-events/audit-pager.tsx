/** Newer / older pages of the trail (cursors: the server pages, the address bar keeps the page). */
export function AuditPager({ newer, older, onNewer, onOlder }: { newer: boolean; older: boolean; onNewer: () => void; onOlder: () => void }) {
  if (!newer && !older) return null;
  return (
    <nav className="actions pager" aria-label="Pages of the audit trail">
      <button type="button" disabled={!newer} onClick={onNewer}>Newer events</button>
      <button type="button" disabled={!older} onClick={onOlder}>Older events</button>
    </nav>
  );
}
