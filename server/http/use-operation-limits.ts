import type { Plugin } from 'graphql-yoga';
import { listCaps, operationLimits, pageCaps, snapshotFields } from './operation-limits.ts';
import type { RequestViewers } from './request-viewer.ts';
import { useDocumentLimits } from './use-document-limits.ts';
import { useIntrospectionGate } from './use-introspection-gate.ts';
import { usePageLimits } from './use-page-limits.ts';
import { useRequestBodyLimit } from './use-request-body-limit.ts';

/**
 * The limits of operation-limits.ts, in the order a request meets them: its
 * body's size (before anything reads it), who sends it (authenticated once,
 * on arrival), its document (length, tokens, depth, aliases, directives,
 * cost), the schema gate (introspection and suggestions for signed-in callers
 * only), then its page sizes and rows before any resolver runs. Yoga runs
 * them for /graphql, its SSE and /graphql/stream; graphql-ws executes through
 * yoga's envelope (attach-graphql-ws.ts), so they hold there too.
 */
export function useOperationLimits({ requestViewers }: { requestViewers: RequestViewers }): Plugin[] {
  return [
    useRequestBodyLimit({ maxBytes: operationLimits.requestBytes }),
    requestViewers.plugin,
    ...useDocumentLimits(operationLimits),
    useIntrospectionGate({ knownViewer: requestViewers.knownViewer }),
    usePageLimits({ limits: operationLimits, pageCaps, listCaps, snapshotFields }),
  ];
}
