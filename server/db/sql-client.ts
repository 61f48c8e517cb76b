import type { Tx } from './transaction.ts';

/**
 * Plain SQL for the hot statements, beside Prisma: the save sends its durable
 * part as one statement with ~25 KB of JSON, and going through the ORM's
 * model layer (encoding, the query compiler, tracing) cost more than the
 * statement itself. Parameters are positional ($1, $2, …); results are rows of
 * the driver's plain values, so hot statements return text (or json as text)
 * and the caller decodes what it needs.
 */
export interface SqlClient {
  query<Row extends Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<Row[]>;
}

/** The same statements inside a Prisma interactive transaction (they then commit with it). */
export function sqlInTransaction(tx: Tx): SqlClient {
  return {
    query: <Row extends Record<string, unknown>>(text: string, values: readonly unknown[] = []) => tx.$queryRawUnsafe<Row[]>(text, ...values),
  };
}
