import type { CatalogEntryFieldsFragment } from '../../gql/graphql.ts';

/**
 * A value for a reader who may not change it: plain text, not a greyed-out
 * control that looks like it could be typed into.
 */
export function ReadOnlyValue({ entry, id, value, describedBy }: { entry: CatalogEntryFieldsFragment; id: string; value: string; describedBy: string }) {
  const shown = value === '' ? '(no value)' : entry.type === 'BOOL' ? (value === 'true' ? 'on' : 'off') : value;
  return (
    <span id={id} className={`param-value${value === '' ? ' muted' : ''}`} aria-describedby={describedBy} data-testid="read-only-value">
      {shown}
    </span>
  );
}
