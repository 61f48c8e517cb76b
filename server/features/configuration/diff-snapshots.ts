import type { ValueMap } from './value-map.ts';

/** A before/after pair of one parameter (null: no value on that side). */
export interface ValueDiff {
  name: string;
  before: string | null;
  after: string | null;
}

/** Every name whose value differs between two snapshots, sorted. */
export function diffSnapshots(from: ValueMap, to: ValueMap): ValueDiff[] {
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  return names
    .filter((name) => from[name] !== to[name])
    .map((name) => ({ name, before: from[name] ?? null, after: to[name] ?? null }));
}
