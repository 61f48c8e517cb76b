import { findAppError, type AppError } from '../errors/index.ts';
import type { Logger } from '../logging/create-logger.ts';
import type { Viewer } from './viewer.ts';

/** A credential changed (database NOTIFY `credentials_changed`); `all` after a LISTEN reconnect, when some may have been missed. */
export interface CredentialChange {
  kind: 'user' | 'token' | 'session' | 'all';
  id: string;
}

/** One open socket or stream, held by the viewer it last ran with. */
export interface Watched {
  readonly viewer: Viewer;
  /** After an operation ran with a fresher viewer (a raised role): judge against that from now on. */
  update(viewer: Viewer): void;
  stop(): void;
}

function concerns(viewer: Viewer, change: CredentialChange): boolean {
  switch (change.kind) {
    case 'all':
      return true;
    case 'token':
      return viewer.kind !== 'user' && viewer.tokenId === change.id;
    case 'user':
      return viewer.kind === 'user' && viewer.userId === change.id;
    case 'session':
      return viewer.kind === 'user' && viewer.sessionId === change.id;
  }
}

/**
 * Ends what a changed credential keeps open: every socket and subscription
 * stream registers its viewer; when the database says a user, token or
 * session changed, the affected ones are judged again (`current`, the same
 * check each operation runs) and the refused ones are told why, within a
 * notification's delay on every replica. A periodic pass over all of them
 * catches what no notification announces (a session expiring) or one missed
 * while the LISTEN connection was down.
 */
export function createCredentialWatch({ current, changes, logger, recheckIntervalMs = 15_000 }: {
  current: (viewer: Viewer) => Promise<Viewer>;
  changes: AsyncIterableIterator<CredentialChange>;
  logger: Logger;
  recheckIntervalMs?: number;
}) {
  const watched = new Set<{ viewer: Viewer; onLost: (error: AppError) => void }>();

  function recheck(change: CredentialChange): void {
    for (const entry of watched) {
      if (!concerns(entry.viewer, change)) continue;
      const judged = entry.viewer;
      current(judged).then(
        () => {},
        (error: unknown) => {
          const refusal = findAppError(error);
          // A fault is no verdict: the next pass or operation asks again.
          if (!refusal) {
            logger.warn({ event: 'credential_recheck_failed', err: error instanceof Error ? error.message : String(error) }, 'could not re-check a credential');
            return;
          }
          // Updated since (an operation ran with a fresher viewer): that one decides.
          if (!watched.has(entry) || entry.viewer !== judged) return;
          watched.delete(entry);
          logger.info({ event: 'credential_lost', kind: judged.kind, code: refusal.code }, 'ending a connection whose credential changed');
          entry.onLost(refusal);
        },
      );
    }
  }

  void (async () => {
    try {
      for await (const change of changes) recheck(change);
    } catch (error) {
      logger.error({ event: 'credential_watch_failed', err: error instanceof Error ? error.message : String(error) }, 'credential changes are no longer watched');
    }
  })();
  const timer = setInterval(() => {
    if (watched.size) recheck({ kind: 'all', id: '' });
  }, recheckIntervalMs);
  timer.unref();

  return {
    /** Calls `onLost` once, with the refusal, when `viewer` loses its credential or the role it ran with. */
    watch(viewer: Viewer, onLost: (error: AppError) => void): Watched {
      const entry = { viewer, onLost };
      watched.add(entry);
      return {
        get viewer() {
          return entry.viewer;
        },
        update(next) {
          entry.viewer = next;
        },
        stop() {
          watched.delete(entry);
        },
      };
    },
    /** Open sockets and streams watched (diagnostics and tests). */
    size: () => watched.size,
    async close(): Promise<void> {
      clearInterval(timer);
      watched.clear();
      await changes.return?.();
    },
  };
}

export type CredentialWatch = ReturnType<typeof createCredentialWatch>;
