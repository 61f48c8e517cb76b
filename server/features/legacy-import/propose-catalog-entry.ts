import type { CatalogEntry } from '../../generated/prisma/client.ts';
import type { CreateCatalogEntryInput } from '../catalog/index.ts';

// What the import proposes for a legacy key the catalog does not know, from
// the values the legacy tables hold for it. Conservative on purpose: every
// value seen is valid under the proposal (bounds are the observed range, an
// enum's allowed values are the values seen), it restarts rather than
// hot-reloads, and it is not critical. The admin widens or corrects it in the
// proposals file before applying it (--catalog-entries).

export const catalogNamePattern = /^CVN_[A-Z0-9_]+$/;
const intPattern = /^(?:0|-?[1-9][0-9]*)$/;
const floatPattern = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const enumTokenPattern = /^[A-Za-z0-9_.:-]{1,40}$/;
const maxEnumValues = 8;
const fallbackGroup = 'Imported from legacy';

/** The group and category of the catalog entries sharing the longest name prefix (CVN_PTE_X → the PTE envelope group). */
function neighbourhood(name: string, catalog: ReadonlyMap<string, CatalogEntry>): Pick<CatalogEntry, 'groupName' | 'category'> | null {
  const parts = name.split('_');
  for (let length = parts.length - 1; length >= 2; length -= 1) {
    const prefix = `${parts.slice(0, length).join('_')}_`;
    const counts = new Map<string, { entry: CatalogEntry; n: number }>();
    for (const entry of catalog.values()) {
      if (!entry.name.startsWith(prefix)) continue;
      const key = `${entry.groupName}\u0000${entry.category}`;
      const seen = counts.get(key);
      counts.set(key, { entry, n: (seen?.n ?? 0) + 1 });
    }
    const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
    if (best) return { groupName: best.entry.groupName, category: best.entry.category };
  }
  return null;
}

export interface ProposalInput {
  name: string;
  /** Every stored value seen for the key, across the history, the current row and the runs. */
  values: readonly string[];
  /** The current row's value, the proposal's default. */
  currentValue: string | undefined;
  /** In how many of the snapshots it appears. */
  seenIn: number;
  snapshots: number;
}

export function proposeCatalogEntry({ name, values, currentValue, seenIn, snapshots }: ProposalInput, catalog: ReadonlyMap<string, CatalogEntry>): CreateCatalogEntryInput {
  const distinct = [...new Set(values)].sort();
  const nonEmpty = distinct.filter((v) => v !== '');
  const near = neighbourhood(name, catalog);
  const base = {
    name,
    group: near?.groupName ?? fallbackGroup,
    category: near?.category ?? 'MODEL',
    required: !distinct.includes(''),
    hotReloadable: false,
    critical: false,
    defaultValue: currentValue ?? nonEmpty[nonEmpty.length - 1] ?? null,
    description: `Imported from the legacy ftf_config (in ${seenIn} of ${snapshots} snapshots); proposed from the values seen: ${nonEmpty.slice(0, 5).join(', ')}${nonEmpty.length > 5 ? ', …' : ''}.`,
    reason: 'Legacy import: a key of ftf_config the catalog did not know',
  } satisfies Partial<CreateCatalogEntryInput>;
  if (nonEmpty.length > 0 && nonEmpty.every((v) => v === 'true' || v === 'false')) return { ...base, type: 'BOOL' };
  const numbers = nonEmpty.map(Number);
  if (nonEmpty.length > 0 && nonEmpty.every((v) => intPattern.test(v))) {
    return { ...base, type: 'INT', minValue: Math.min(...numbers), maxValue: Math.max(...numbers) };
  }
  if (nonEmpty.length > 0 && nonEmpty.every((v) => floatPattern.test(v))) {
    return { ...base, type: 'FLOAT', minValue: Math.min(...numbers), maxValue: Math.max(...numbers) };
  }
  if (nonEmpty.length > 0 && nonEmpty.length <= maxEnumValues && nonEmpty.every((v) => enumTokenPattern.test(v))) {
    return { ...base, type: 'ENUM', allowedValues: distinct };
  }
  return { ...base, type: 'STRING' };
}
