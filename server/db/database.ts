import type { PrismaClient } from '../generated/prisma/client.ts';
import type { NotificationSource } from './notification-source.ts';
import type { SqlClient } from './sql-client.ts';

/** Everything the server needs from its database, whichever kind it is. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  readonly prisma: PrismaClient;
  /** Plain SQL on the same database (autocommit: each statement its own transaction), for the hot statements. */
  readonly sql: SqlClient;
  /** Creates the LISTEN source (one per server process). */
  createNotificationSource(): NotificationSource;
  /** Runs a cheap query; rejects when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PrismaQueryEvent {
  query: string;
  duration: number;
}
