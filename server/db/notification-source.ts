/** Channels the server listens on; each is fed by a trigger in prisma/migrations. */
export const notificationChannels = ['config_changed', 'change_request_updated', 'worker_status_changed', 'catalog_changed', 'credentials_changed'] as const;
export type NotificationChannel = (typeof notificationChannels)[number];

export interface NotificationHandlers {
  onNotification(channel: NotificationChannel, payload: string): void;
  /** After every successful (re)connect, LISTEN already issued. `reconnected` is false the first time. */
  onConnected(reconnected: boolean): void;
  onDisconnected(error: unknown): void;
}

/**
 * One LISTEN connection per server process. Implementations reconnect by
 * themselves; the bridge above them replays what was missed while down.
 */
export interface NotificationSource {
  start(handlers: NotificationHandlers): Promise<void>;
  isConnected(): boolean;
  close(): Promise<void>;
}
