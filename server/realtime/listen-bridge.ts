import type { PrismaClient } from '../generated/prisma/client.ts';
import type { SqlClient } from '../db/sql-client.ts';
import type { NotificationChannel, NotificationSource } from '../db/notification-source.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import { readVersionEvents, versionEventInNotification } from '../features/configuration/index.ts';
import type { AppPubSub, ConfigChangedEvent } from './pubsub.ts';

/**
 * PostgreSQL NOTIFY → in-process pubsub. Versions are published per
 * environment strictly in order and exactly once: a notification only says
 * "version N exists"; the bridge then publishes every version after the last
 * one it published up to N, read from the database. A gap (a notification
 * lost while the LISTEN connection was down) is therefore filled on the next
 * notification or, at the latest, by the catch-up that runs after each
 * reconnect. A notification that carries its version's event (the trigger
 * puts it in when it fits) and comes right after the last one published is
 * published as it is, without reading anything: the common case, on every
 * save's path to its subscribers.
 */
export function createListenBridge({ prisma, sql, source, pubsub, logger, metrics }: {
  prisma: PrismaClient;
  /** Plain SQL for the read before every publication (on the save-to-apply path); Prisma's when not given. */
  sql?: SqlClient;
  source: NotificationSource;
  pubsub: AppPubSub;
  logger: Logger;
  metrics: Metrics;
}) {
  const lastPublished = new Map<string, number>();
  const chains = new Map<string, Promise<void>>();
  // Notifications that arrive before the baseline is read are held back, then
  // replayed through publishUpTo (which ignores anything at or below it).
  let pendingBeforeReady: Map<string, number> | undefined = new Map();
  let onCatalogChanged: () => void = () => {};

  async function publishUpTo(environment: string, upTo?: number, carried?: ConfigChangedEvent): Promise<void> {
    const after = lastPublished.get(environment);
    if (after === undefined || (upTo !== undefined && upTo <= after)) return;
    const fromNotification = carried !== undefined && carried.version === after + 1;
    if (!fromNotification) metrics.versionReadBacks.inc();
    const events = fromNotification ? [carried] : await readVersionEvents(sql ?? prisma, environment, after, upTo);
    const expectedNotification = upTo === undefined ? 0 : 1;
    if (events.length > expectedNotification) metrics.versionsReplayed.inc(events.length - expectedNotification);
    for (const event of events) {
      if (event.version !== (lastPublished.get(environment) ?? 0) + 1) {
        // Cannot happen while versions are gap-free in the database (trigger);
        // logged loudly rather than papered over.
        logger.error({ event: 'version_sequence_broken', env: environment, version: event.version }, 'version sequence has a hole');
      }
      lastPublished.set(environment, event.version);
      metrics.activeVersion.set({ environment }, event.version);
      pubsub.publish('configChanged', environment, event);
    }
  }

  /** Serialises the work per environment: publications never interleave or reorder. */
  function enqueue(environment: string, work: () => Promise<void>): Promise<void> {
    const next = (chains.get(environment) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      logger.error({ event: 'listen_publish_failed', env: environment, err: error instanceof Error ? error.message : String(error) }, 'could not publish a version');
    });
    chains.set(environment, next);
    return next;
  }

  async function catchUpAll(): Promise<void> {
    const environments = await prisma.environment.findMany({ select: { name: true, activeVersion: true } });
    await Promise.all(environments.map((env) => {
      if (!lastPublished.has(env.name)) {
        // A new environment (or the first start): publish from its current version on.
        lastPublished.set(env.name, env.activeVersion);
        metrics.activeVersion.set({ environment: env.name }, env.activeVersion);
        return Promise.resolve();
      }
      return enqueue(env.name, () => publishUpTo(env.name));
    }));
  }

  function onNotification(channel: NotificationChannel, payload: string): void {
    metrics.notifications.inc({ channel });
    try {
      const message = JSON.parse(payload) as Record<string, unknown>;
      switch (channel) {
        case 'config_changed': {
          const environment = String(message.environment);
          const version = Number(message.version);
          const carried = versionEventInNotification(environment, version, message);
          if (pendingBeforeReady) {
            pendingBeforeReady.set(environment, Math.max(version, pendingBeforeReady.get(environment) ?? 0));
          } else if (!lastPublished.has(environment)) {
            void enqueue(environment, async () => {
              // First version of an environment created after start.
              if (!lastPublished.has(environment)) lastPublished.set(environment, 0);
              await publishUpTo(environment, version, carried);
            });
          } else {
            void enqueue(environment, () => publishUpTo(environment, version, carried));
          }
          break;
        }
        case 'change_request_updated':
          pubsub.publish('changeRequestUpdated', { id: String(message.id), environmentId: String(message.environmentId), environment: String(message.environment) });
          break;
        case 'worker_status_changed': {
          // A registration names its worker; an UPDATE statement, every
          // worker of one environment it changed (one event each, as before).
          const environmentId = String(message.environmentId);
          if (Array.isArray(message.ids)) {
            for (const id of message.ids) pubsub.publish('workerStatusChanged', { id: String(id), environmentId });
          } else {
            pubsub.publish('workerStatusChanged', { id: String(message.id), environmentId });
          }
          break;
        }
        case 'catalog_changed':
          onCatalogChanged();
          break;
        case 'credentials_changed': {
          const kind = String(message.kind);
          if (kind === 'user' || kind === 'token' || kind === 'session') pubsub.publish('credentialsChanged', { kind, id: String(message.id) });
          break;
        }
      }
    } catch (error) {
      logger.warn({ event: 'listen_bad_payload', channel, err: error instanceof Error ? error.message : String(error) }, 'unreadable notification');
    }
  }

  return {
    /** Starts LISTEN first, then reads where each environment is: nothing committed in between is lost. */
    async start({ catalogChanged }: { catalogChanged?: () => void } = {}): Promise<void> {
      onCatalogChanged = catalogChanged ?? onCatalogChanged;
      await source.start({
        onNotification,
        onConnected: (reconnected) => {
          metrics.listenConnected.set(1);
          if (reconnected) {
            metrics.listenReconnects.inc();
            onCatalogChanged();
            // Credentials may have changed while nobody listened.
            pubsub.publish('credentialsChanged', { kind: 'all', id: '' });
            void catchUpAll().catch((error: unknown) =>
              logger.error({ event: 'listen_catch_up_failed', err: error instanceof Error ? error.message : String(error) }, 'catch-up after reconnect failed'));
          }
        },
        onDisconnected: () => metrics.listenConnected.set(0),
      });
      await catchUpAll();
      const held = pendingBeforeReady;
      pendingBeforeReady = undefined;
      await Promise.all([...(held ?? [])].map(([environment, version]) => enqueue(environment, () => publishUpTo(environment, version))));
    },
    isConnected: () => source.isConnected(),
    /** The last version published per environment (tests and /readyz diagnostics). */
    lastPublished: (environment: string) => lastPublished.get(environment),
    async close(): Promise<void> {
      await source.close();
      await Promise.all(chains.values());
      metrics.listenConnected.set(0);
    },
  };
}

export type ListenBridge = ReturnType<typeof createListenBridge>;
