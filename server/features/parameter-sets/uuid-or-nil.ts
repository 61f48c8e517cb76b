import { isUuid } from '../../../contract/is-uuid.ts';

const nilUuid = '00000000-0000-0000-0000-000000000000';

/** A key that is not a uuid names no row: it must read as "not found", not as a database fault (PostgreSQL refuses the cast). */
export const uuidOrNil = (id: string): string => (isUuid(id) ? id : nilUuid);
