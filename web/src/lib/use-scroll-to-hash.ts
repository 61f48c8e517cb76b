import { useEffect } from 'react';

/**
 * Scrolls to the element the address's #fragment names once the page's data
 * has rendered (`ready`): links from the audit trail point at a rule or a
 * freeze window that a query brings in after the first paint.
 */
export function useScrollToHash(ready: boolean): void {
  useEffect(() => {
    const hash = window.location.hash.slice(1);
    if (!ready || !hash) return;
    const target = document.getElementById(decodeURIComponent(hash));
    target?.scrollIntoView({ block: 'start' });
    target?.classList.add('linked');
  }, [ready]);
}
