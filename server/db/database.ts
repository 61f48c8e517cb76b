import type { PrismaClient } from '../generated/prisma/client.ts';
import type { NotificationSource } from './notification-source.ts';

/** Everything the server needs from its database, whichever kind it is. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  readonly prisma: PrismaClient;
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
