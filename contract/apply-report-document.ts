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
