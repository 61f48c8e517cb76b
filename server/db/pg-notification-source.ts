import pg from 'pg';
import type { Logger } from '../logging/create-logger.ts';
import { notificationChannels, type NotificationChannel, type NotificationHandlers, type NotificationSource } from './notification-source.ts';
import { backoffDelay } from '../../contract/backoff.ts';

/**
 * LISTEN on a dedicated pg connection (a pooled one would be recycled and
 * silently drop its LISTEN). Reconnects with randomised exponential backoff
 * until closed; a connection killed by pg_terminate_backend surfaces as an
 * 'error' then 'end' on the client.
 */
export function createPgNotificationSource({
  connectionString,
  logger,
  retryBaseMs = 100,
  retryMaxMs = 5_000,
}: {
  connectionString: string;
  logger: Logger;
  retryBaseMs?: number;
  retryMaxMs?: number;
}): NotificationSource {
  let client: pg.Client | undefined;
  let connected = false;
  let closed = false;
  let everConnected = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let handlers: NotificationHandlers;

  const scheduleReconnect = (attempt: number) => {
    if (closed) return;
    const wait = backoffDelay(attempt, { baseMs: retryBaseMs, maxMs: retryMaxMs });
    retryTimer = setTimeout(() => void connect(attempt + 1), wait);
  };

  const connect = async (attempt: number): Promise<void> => {
    if (closed) return;
    const next = new pg.Client({ connectionString, application_name: 'ucp-listen' });
    let failed = false;
    const onLost = (error: unknown) => {
      if (failed) return;
      failed = true;
      const wasConnected = connected;
      connected = false;
      client = undefined;
      next.removeAllListeners('notification');
      next.end().catch(() => {});
      if (closed) return;
      if (wasConnected) {
        logger.warn({ event: 'listen_connection_lost', err: error instanceof Error ? error.message : String(error) }, 'LISTEN connection lost');
        handlers.onDisconnected(error);
      }
      scheduleReconnect(wasConnected ? 0 : attempt);
    };
    next.on('error', onLost);
    next.on('end', () => onLost(new Error('connection ended')));
    next.on('notification', (message) => {
      handlers.onNotification(message.channel as NotificationChannel, message.payload ?? '');
    });
    try {
      await next.connect();
      for (const channel of notificationChannels) await next.query(`LISTEN ${channel}`);
    } catch (error) {
      onLost(error);
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    connected = true;
    const reconnected = everConnected;
    everConnected = true;
    if (reconnected) logger.info({ event: 'listen_reconnect' }, 'LISTEN connection re-established');
    handlers.onConnected(reconnected);
  };

  return {
    async start(h) {
      handlers = h;
      await connect(0);
      if (!connected) throw new Error('could not open the LISTEN connection');
    },
    isConnected: () => connected,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      connected = false;
      await current?.end().catch(() => {});
    },
  };
}
