import { isUuid } from '../contract/is-uuid.ts';

const nilUuid = '00000000-0000-0000-0000-000000000000';

/**
 * A node lookup by a uuid key. A global id that decodes to something that is
 * not a uuid names no row: it must read as "not found", not as a database
 * fault (PostgreSQL rejects the cast).
 */
export function uuidWhere(id: string): { id: string } {
  return { id: isUuid(id) ? id : nilUuid };
}
