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
 * A change request was created or changed. It names its environment so a
 * subscription filters by environment and permission without reading the
 * request back for every event and subscriber.
 */
export interface ChangeRequestUpdatedEvent {
  id: string;
  environmentId: string;
  environment: string;
}

/**
 * A worker registered or its operator-visible state changed. It names the
 * worker's environment so a subscription filters without reading the worker
 * back for every event and subscriber.
 */
export interface WorkerStatusChangedEvent {
  id: string;
  environmentId: string;
}

/**
 * A user's role, status or password, a token's revocation or a session's end
 * (NOTIFY credentials_changed); `all` after a LISTEN reconnect, when some may
 * have been missed. Open sockets and streams are judged again on it.
 */
export interface CredentialsChangedEvent {
  kind: 'user' | 'token' | 'session' | 'all';
  id: string;
}

interface Topics {
  configChanged: [environment: string, event: ConfigChangedEvent];
  changeRequestUpdated: [event: ChangeRequestUpdatedEvent];
  workerStatusChanged: [event: WorkerStatusChangedEvent];
  credentialsChanged: [event: CredentialsChangedEvent];
}

type Payload<T extends keyof Topics> = Topics[T] extends [string, infer P] ? P : Topics[T] extends [infer P] ? P : never;
type Key<T extends keyof Topics> = Topics[T] extends [infer K extends string, unknown] ? [key: K] : [];

const finished: IteratorResult<never> = Object.freeze({ done: true, value: undefined });

/**
 * One subscriber's queue. Events are pushed synchronously by publish() and
 * handed to the waiting next() directly: a version reaches a thousand
 * subscribers with one resolved promise each, no event objects, no
 * per-subscriber machinery (this path decides the save-to-apply latency).
 * It listens from the moment it is created, not from its first next(), so
 * nothing published in between is lost.
 */
class Subscription<T> implements AsyncIterableIterator<T> {
  // Unbounded on purpose: entries are pointers to events every subscriber
  // shares, arriving at the rate versions are saved. A dead consumer is closed
  // by the socket keep-alive (graphql-ws/use/ws); dropping events for a slow
  // one would break the in-order, once-each contract the agents rely on.
  #queue: T[] = [];
  /** next() calls waiting for an event, oldest first (a caller may ask again before the first is answered). */
  #waiting: ((result: IteratorResult<T>) => void)[] = [];
  #done = false;

  constructor(private readonly detach: (subscription: Subscription<T>) => void) {}

  push(value: T): void {
    if (this.#done) return;
    const waiting = this.#waiting.shift();
    if (waiting) {
      waiting({ done: false, value });
    } else {
      this.#queue.push(value);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#queue.length > 0) return Promise.resolve({ done: false, value: this.#queue.shift() as T });
    if (this.#done) return Promise.resolve(finished);
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.#done) {
      this.#done = true;
      this.#queue = [];
      this.detach(this);
      for (const waiting of this.#waiting.splice(0)) waiting(finished);
    }
    return Promise.resolve(finished);
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * In-process fan-out from the one LISTEN connection to every subscriber of
 * this server process. Topics are keyed (configChanged by environment) so a
 * subscriber only wakes for its own.
 */
export function createAppPubSub() {
  const subscribers = new Map<string, Set<Subscription<unknown>>>();
  const topicOf = (name: string, key: string | undefined) => (key === undefined ? name : `${name}:${key}`);
  return {
    publish<T extends keyof Topics>(name: T, ...args: Topics[T]): void {
      const key = args.length === 2 ? (args[0] as string) : undefined;
      const payload = args[args.length - 1];
      const set = subscribers.get(topicOf(name, key));
      if (!set) return;
      for (const subscription of set) subscription.push(payload);
    },
    subscribe<T extends keyof Topics>(name: T, ...key: Key<T>): AsyncIterableIterator<Payload<T>> {
      const topic = topicOf(name, key[0]);
      let set = subscribers.get(topic);
      if (!set) subscribers.set(topic, (set = new Set()));
      const subscription = new Subscription<Payload<T>>((gone) => {
        const current = subscribers.get(topic);
        current?.delete(gone as Subscription<unknown>);
        if (current?.size === 0) subscribers.delete(topic);
      });
      set.add(subscription as Subscription<unknown>);
      return subscription;
    },
    /** Open subscriptions per topic (diagnostics and tests). */
    count: (name: keyof Topics, key?: string) => subscribers.get(topicOf(name, key))?.size ?? 0,
  };
}

export type AppPubSub = ReturnType<typeof createAppPubSub>;
