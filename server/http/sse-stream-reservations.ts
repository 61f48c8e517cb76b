import { randomUUID } from 'node:crypto';
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY, type HandlerOptions } from 'graphql-sse';
import type { Viewer } from '../auth/index.ts';
import { AppError, forbidden, notFound, toHttpError, unauthenticated } from '../errors/index.ts';

/** graphql-sse's raw answer: [body, init]. Returned from `authenticate`, it ends the request. */
export type RawResponse = [string, { status: number; statusText: string; headers: Record<string, string> }];

/** graphql-sse's fetch handler (use-graphql-sse-stream.ts makes it). */
export type StreamHandler = (request: Request) => Promise<Response>;

type Authenticate = NonNullable<HandlerOptions<Request>['authenticate']>;

export interface StreamReservationOptions {
  /**
   * Who sends the request (null: nobody), given yoga's server context of it
   * (where the request's authentication on arrival is kept); throws the
   * credential's own error for bad credentials.
   */
  identify: (request: Request, serverContext: unknown) => Promise<Viewer | null>;
  /** A reservation not opened within this time is dropped (default 30 s). */
  ttlMs?: number;
  /** Reservations one caller may hold unopened at once (default 8). */
  maxPendingPerCaller?: number;
  /** Runs `expire` after `ms`; returns its cancel. Default: an unref'd setTimeout (tests pass their own clock). */
  schedule?: (expire: () => void, ms: number) => () => void;
  /** Told after a reservation expired, with whether graphql-sse's stream was freed (tests wait on it). */
  onExpired?: (token: string, freed: boolean) => void;
}

interface Reservation {
  owner: string;
  opened: boolean;
  cancelExpiry: () => void;
}

function afterTimeout(expire: () => void, ms: number): () => void {
  const timer = setTimeout(expire, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** One key per credential holder: a reservation is used only by whoever made it. */
function ownerOf(viewer: Viewer): string {
  return viewer.kind === 'user' ? `user:${viewer.userId}` : `${viewer.kind}:${viewer.tokenId}`;
}

function rawError(error: unknown): RawResponse {
  const { status, body } = toHttpError(error);
  return [JSON.stringify(body), { status, statusText: '', headers: { 'content-type': 'application/json; charset=utf-8' } }];
}

/** The stream token a request names, as graphql-sse reads it (header first, then query). */
export function streamTokenOf(request: Request): string | null {
  return request.headers.get(TOKEN_HEADER_KEY) || new URL(request.url, 'http://localhost/').searchParams.get(TOKEN_QUERY_KEY) || null;
}

/**
 * The "single connection mode" of graphql-sse under rules: a PUT reserves a
 * stream only with credentials, a reservation not opened within the TTL is
 * dropped (graphql-sse itself keeps one forever, about 7 KiB each), a caller
 * holds a few unopened ones at most, and only the caller who reserved a
 * stream opens it and sends operations on it. Stream tokens are random
 * UUIDs made here, never the client's. Requests without a stream token use
 * the distinct connections mode, authenticated per operation as before.
 */
export function createStreamReservations({ identify, ttlMs = 30_000, maxPendingPerCaller = 8, schedule = afterTimeout, onExpired }: StreamReservationOptions) {
  const reservations = new Map<string, Reservation>();
  // The requests this module sends graphql-sse itself (freeing a stream).
  const internal = new WeakSet<Request>();
  let handlerOf: () => StreamHandler | undefined = () => undefined;

  /**
   * Frees graphql-sse's own stream of a dropped reservation. graphql-sse frees
   * a stream only when it was opened and then closed, so open it here and
   * cancel it at once.
   */
  async function release(token: string): Promise<boolean> {
    const handler = handlerOf();
    if (!handler) return false;
    const open = new Request('http://internal/graphql/stream', { method: 'GET', headers: { accept: 'text/event-stream', [TOKEN_HEADER_KEY]: token } });
    internal.add(open);
    const response = await handler(open);
    await response.body?.cancel();
    return response.status === 200;
  }

  const pendingOf = (owner: string) => {
    let count = 0;
    for (const reservation of reservations.values()) if (reservation.owner === owner && !reservation.opened) count += 1;
    return count;
  };

  async function viewerOr401(request: Request, serverContext: unknown): Promise<Viewer | RawResponse> {
    try {
      const viewer = await identify(request, serverContext);
      return viewer ?? rawError(unauthenticated('Sign in (or send a service token) to reserve an event stream.'));
    } catch (error) {
      return rawError(error);
    }
  }

  function expire(token: string): void {
    const reservation = reservations.get(token);
    if (!reservation || reservation.opened) return;
    reservations.delete(token);
    void release(token).then((freed) => onExpired?.(token, freed), () => onExpired?.(token, false));
  }

  /** The stream token to use, null for distinct connections, or the refusal. */
  async function authenticate(request: Request, serverContext: unknown): Promise<string | null | RawResponse> {
    if (internal.has(request)) return streamTokenOf(request);
    if (request.method === 'PUT') {
      const viewer = await viewerOr401(request, serverContext);
      if (Array.isArray(viewer)) return viewer;
      const owner = ownerOf(viewer);
      if (pendingOf(owner) >= maxPendingPerCaller) {
        return rawError(new AppError('CONFLICT', `You already hold ${maxPendingPerCaller} event streams you have not opened: open them or let them expire.`, {}));
      }
      const token = randomUUID();
      reservations.set(token, { owner, opened: false, cancelExpiry: schedule(() => expire(token), ttlMs) });
      return token;
    }
    const token = streamTokenOf(request);
    if (token === null) return null;
    const reservation = reservations.get(token);
    if (!reservation) return rawError(notFound('Event stream', token));
    const viewer = await viewerOr401(request, serverContext);
    if (Array.isArray(viewer)) return viewer;
    if (ownerOf(viewer) !== reservation.owner) return rawError(forbidden('This event stream was reserved by someone else.'));
    // graphql-sse opens a reserved stream on exactly this Accept.
    if (request.method === 'GET' && request.headers.get('accept') === 'text/event-stream' && !reservation.opened) {
      reservation.opened = true;
      reservation.cancelExpiry();
      // Open, the stream lives as long as its connection; graphql-sse drops its side when the client goes.
      request.signal.addEventListener('abort', () => reservations.delete(token), { once: true });
    }
    return token;
  }

  return {
    /**
     * graphql-sse's `authenticate` option for `handler` (read lazily: the
     * handler is made with this option), given how to find yoga's server
     * context of a request.
     */
    authenticateFor(handler: () => StreamHandler | undefined, serverContextOf: (request: Request) => unknown): Authenticate {
      handlerOf = handler;
      return (req) => authenticate(req.raw, serverContextOf(req.raw)) as ReturnType<Authenticate>;
    },

    /** Reserved and open streams this process holds (tests). */
    get size(): number {
      return reservations.size;
    },
  };
}

export type StreamReservations = ReturnType<typeof createStreamReservations>;
