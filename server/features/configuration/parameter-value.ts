import type { CatalogEntry } from '../../generated/prisma/client.ts';
import { parseValue, type CatalogEntryShape } from '../../../contract/validation/index.ts';

/** The active value of one parameter in one environment, with its catalog entry (if it still has one). */
export interface ParameterValue {
  name: string;
  /** As stored; null when the environment has no value yet. */
  value: string | null;
  /** With its replacement when known (undefined: not loaded, plugin-prisma reads it). */
  entry: (CatalogEntry & { replacement?: CatalogEntry | null }) | undefined;
  shape: CatalogEntryShape | undefined;
}

/** The value as its catalog type: number, boolean or string. Null when missing or not valid for today's catalog. */
export function typedValue({ value, shape }: ParameterValue): unknown {
  if (value === null || !shape) return null;
  const parsed = parseValue(shape, value);
  return parsed.ok ? parsed.value : null;
}
