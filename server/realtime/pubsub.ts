import { setMaxListeners } from 'node:events';
import { createPubSub } from 'graphql-yoga';
import type { VersionKind } from '../generated/prisma/enums.ts';

/** A committed version, as subscribers see it. */
export interface ConfigChangedEvent {
  environment: string;
  version: number;
  kind: VersionKind;
  changedKeys: string[];
  /** The new values, so a subscriber can apply a version without another round trip. */
  changes: { name: string; before: string | null; after: string | null }[];
  author: string;
  createdAt: Date;
}

/**
 * In-process fan-out from the one LISTEN connection to every subscriber of
 * this server process. Topics are keyed by environment so a subscriber only
 * wakes for its own.
 */
export function createAppPubSub() {
  // One listener per open subscription: hundreds per topic are normal here.
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<{
    configChanged: [environment: string, event: ConfigChangedEvent];
    changeRequestUpdated: [event: { id: string }];
    workerStatusChanged: [event: { id: string }];
  }>({ eventTarget });
}

export type AppPubSub = ReturnType<typeof createAppPubSub>;
