import { GraphQLError, locatedError, type ExecutionResult } from 'graphql';
import type { Viewer } from '../auth/index.ts';
import { AppError, badRequest } from '../errors/index.ts';
import type { DirectOperation } from './direct-operation.ts';
import type { SocketHolder } from './socket-privileges.ts';
import { wireError } from './wire-errors.ts';

/** How many posted operations one socket may have in flight; more are refused (RATE_LIMITED). */
export const maxPostedInFlight = 64;

/** What a socket carries for its posted operations. */
export type PostedHolder = SocketHolder & {
  /** Posted operations not yet recorded or refused. */
  postedInFlight?: number;
  /** Settles once every operation posted so far is recorded or refused. */
  postedSettled?: Promise<void>;
};

/**
 * Operations a client posts as an unsolicited graphql-ws `pong` with a
 * payload (graphql-ws lets either side send one and expects no answer):
 * `{ [posted.as]: { ref, input } }` runs the direct operation with
 * `{ input }` and answers nothing when it succeeds, and only a refusal
 * otherwise: a pong `{ [posted.refusedAs]: { ref, errors } }`, the errors as
 * the operation sent as a `subscribe` would have had them (an input the
 * direct path does not take as plainly valid runs through GraphQL, whose
 * refusal is the answer). The runtime agent posts its apply reports so
 * (contract/apply-report-document.ts): a thousand of them per save cost the
 * server a message read each and no write.
 *
 * Order and confirmation: `settled(holder)` is what a socket's later
 * operations and `ping`s wait for (attach-graphql-ws.ts), so a status report
 * sent after an apply report is handled after it, and the pong answering a
 * ping confirms every report posted before that ping.
 */
export function createPostedOperations({ operations, current, mask, runThroughGraphQL, sendPong }: {
  operations: readonly DirectOperation[];
  /** The caller as they are now (socket-privileges.ts), or the errors refusing them. */
  current(holder: PostedHolder): Promise<{ viewer: Viewer } | { errors: GraphQLError[] }>;
  mask(error: unknown): GraphQLError;
  /** The operation as graphql-ws would run a `subscribe` of it, for its refusal. */
  runThroughGraphQL(holder: PostedHolder, viewer: Viewer, query: string, variables: Record<string, unknown>): Promise<ExecutionResult>;
  sendPong(holder: PostedHolder, payload: Record<string, unknown>): void;
}) {
  const posted = operations.filter((operation) => operation.posted);

  async function run(holder: PostedHolder, operation: DirectOperation, input: unknown): Promise<readonly GraphQLError[]> {
    if ((holder.postedInFlight ?? 0) >= maxPostedInFlight) {
      return [mask(new AppError('RATE_LIMITED', `At most ${maxPostedInFlight} posted reports are handled at once on one socket; nothing was recorded for this one.`, { retryAfterSeconds: 1 }))];
    }
    const caller = await current(holder);
    if ('errors' in caller) return caller.errors;
    const running = operation.run(caller.viewer, { input });
    if (!running) {
      const result = await runThroughGraphQL(holder, caller.viewer, operation.query, { input });
      return result.errors ?? [];
    }
    try {
      await running;
      return [];
    } catch (error) {
      return [mask(locatedError(error, undefined, [operation.field]))];
    }
  }

  function track(holder: PostedHolder, done: Promise<void>): void {
    holder.postedInFlight = (holder.postedInFlight ?? 0) + 1;
    const settled = done.finally(() => {
      holder.postedInFlight! -= 1;
      if (holder.postedInFlight === 0 && holder.postedSettled === all) holder.postedSettled = undefined;
    });
    const all: Promise<void> = holder.postedSettled ? Promise.all([holder.postedSettled, settled]).then(() => {}) : settled;
    holder.postedSettled = all;
  }

  return {
    /** Whether any operation may be posted here (the handshake's ack says so). */
    accepts: posted.length > 0,
    /**
     * A pong's payload: runs the operation it posts, if any (a plain
     * keep-alive pong, or one this server does not know, is left alone).
     * Registered before it returns, so a message that follows waits for it.
     */
    pong(holder: PostedHolder, payload: Record<string, unknown> | undefined): void {
      if (!payload || posted.length === 0) return;
      const operation = posted.find((candidate) => Object.hasOwn(payload, candidate.posted!.as));
      if (!operation) return;
      const message = payload[operation.posted!.as] as { ref?: unknown; input?: unknown } | null;
      const ref = typeof message?.ref === 'number' && Number.isSafeInteger(message.ref) ? message.ref : null;
      const refuse = (errors: readonly GraphQLError[]) => {
        if (errors.length > 0) sendPong(holder, { [operation.posted!.refusedAs]: { ref, errors: errors.map((error) => wireError(error)) } });
      };
      const done = ref === null || !message
        ? Promise.resolve(refuse([mask(badRequest(`A posted ${operation.field} is { ref: <integer>, input: {...} }; nothing was recorded.`))]))
        : run(holder, operation, message.input).then(refuse, (error: unknown) => refuse([mask(error)]));
      track(holder, done);
    },
    /** Settles once every operation the socket posted so far is recorded or refused (undefined: none in flight). */
    settled: (holder: PostedHolder): Promise<void> | undefined => holder.postedSettled,
  };
}

export type PostedOperations = ReturnType<typeof createPostedOperations>;
