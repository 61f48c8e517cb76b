import type { Viewer } from '../auth/index.ts';

/**
 * An operation graphql-ws answers without GraphQL's per-operation work
 * (envelop's layers, validation, variable coercion, the executor, the
 * schema's plugins): one exact document sent by every runtime agent for
 * every version (the apply report). The socket's caller is still read again
 * for it (socket-privileges.ts), its answer still leaves through graphql-ws's
 * own `next` and `complete`, masked as yoga masks (attach-graphql-ws.ts), and
 * anything the operation does not recognise as plainly valid runs through
 * GraphQL as usual, whose refusals are then the answer.
 */
export interface DirectOperation {
  /** The exact document text answered directly; any other runs as usual. */
  readonly query: string;
  /** The document's one root field (its response key, no alias). */
  readonly field: string;
  /**
   * Also taken posted as a graphql-ws pong `{ [as]: { ref, input } }`, run
   * with `{ input }` and answered only when refused, by a pong
   * `{ [refusedAs]: { ref, errors } }` (posted-operations.ts).
   */
  readonly posted?: { readonly as: string; readonly refusedAs: string };
  /**
   * The root field's value for these variables as `viewer`, or undefined to
   * leave the operation to GraphQL (a caller or a value the schema's own
   * checks would refuse, or anything unusual). A rejection is the field's
   * error, masked and located as the executor would.
   */
  run(viewer: Viewer, variables: unknown): Promise<unknown> | undefined;
  /** The root field's value from what `run` resolved to (a posted operation, answered by nothing, skips it). */
  answer?(value: unknown): unknown;
}
