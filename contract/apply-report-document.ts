/**
 * The runtime agent's apply report, as the exact GraphQL text it sends. Shared
 * because the server answers this very text over graphql-ws without running
 * GraphQL's execution for it (schema/report-worker-apply-direct.ts): a
 * thousand workers report every save, and validating, coercing and executing
 * the same document a thousand times was most of the server's work per
 * version. Any other text (or this one with anything unusual in it) runs
 * through GraphQL as usual, with the same answers.
 */
export const APPLY_REPORT_DOCUMENT = 'mutation RuntimeAgentApply($input: ReportWorkerApplyInput!) { reportWorkerApply(input: $input) { id } }';

/**
 * The apply report posted over the agent's graphql-ws socket as an
 * unsolicited `pong` (graphql-ws lets either side send one, with a payload,
 * and expects no answer): `{ "type": "pong", "payload": { "applyReport":
 * { "ref": 7, "input": ApplyReportMessage } } }`. The server answers only a
 * refusal, as a pong `{ "applyReportRefused": { "ref": 7, "errors": [...] } }`
 * (GraphQL errors with their code), and handles a socket's later messages
 * (an operation, a `ping`) only once its posted reports are recorded or
 * refused: the pong that answers the agent's next keep-alive `ping` confirms
 * every report posted before it. Posting a report costs the server one small
 * message read and no write; a thousand workers report every save.
 * runtime-agent/PROTOCOL.md ("Apply reports") is the prose.
 */
export const APPLY_REPORT_POSTED = 'applyReport';
/**
 * The `connection_ack` payload of a server that takes posted reports:
 * `{ "postedReports": true }`. An agent posts only then; to a server without
 * it (an older replica during a rolling deploy) it sends the mutation, which
 * every server answers.
 */
export const POSTED_REPORTS_ACK = 'postedReports';
export const APPLY_REPORT_REFUSED = 'applyReportRefused';

/** `ref`: the agent's number for the report on this socket, echoed by a refusal. */
export interface PostedApplyReport {
  ref: number;
  input: unknown;
}

export interface RefusedApplyReport {
  ref: number;
  errors: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
}
