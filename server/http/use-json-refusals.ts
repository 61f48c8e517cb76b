/**
 * Every refusal on the GraphQL paths has a JSON body of GraphQL errors with a
 * code. Yoga answers some with an empty body (415 for a content type it does
 * not parse, 406 for an Accept it cannot serve) and graphql-sse its own 4xx
 * with errors that carry no code ("Missing query", "Stream not found"); this
 * fills in what is missing from the status, keeping status and headers.
 */
import { STATUS_CODES } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { FAULT_CODE, type WireErrorCode } from '../../contract/error-codes.ts';
import { errorTable, faultMessage } from '../errors/index.ts';

/** The code a refusal of this status carries when it came without one. */
function codeFor(status: number): string {
  const byStatus: Partial<Record<number, WireErrorCode>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 503: 'UNAVAILABLE' };
  const code = byStatus[status] ?? (status >= 500 ? FAULT_CODE : 'BAD_REQUEST');
  return errorTable[code].graphqlCode ?? code;
}

const sentences: Partial<Record<number, string>> = {
  405: 'Use GET or POST.',
  406: 'This endpoint answers application/graphql-response+json, application/json or text/event-stream; the Accept header asks for none of them.',
  413: 'The request body is too large.',
  415: 'Send the request body as JSON (content-type: application/json).',
};

type WireErrors = { errors?: { message?: unknown; extensions?: Record<string, unknown> }[] };

export function useJsonRefusals(): Plugin {
  return {
    async onResponse({ response, setResponse, fetchAPI }) {
      if (response.status < 400) return;
      const code = codeFor(response.status);
      // A copy: the response's own headers may be shared with the stream yoga is about to send.
      const jsonHeaders = () => {
        const headers = new fetchAPI.Headers();
        response.headers.forEach((value, name) => headers.set(name, value));
        headers.set('content-type', 'application/json; charset=utf-8');
        headers.delete('content-length');
        return headers;
      };
      if (response.body === null) {
        const message = response.status >= 500 ? faultMessage : (sentences[response.status] ?? `${STATUS_CODES[response.status] ?? 'Refused'}.`);
        setResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), { status: response.status, headers: jsonHeaders() }));
        return;
      }
      if (!(response.headers.get('content-type') ?? '').includes('json')) return;
      const text = await response.clone().text();
      let body: WireErrors;
      try {
        body = JSON.parse(text) as WireErrors;
      } catch {
        return;
      }
      if (!Array.isArray(body.errors) || body.errors.every((error) => typeof error.extensions?.code === 'string')) return;
      const errors = body.errors.map((error) => (typeof error.extensions?.code === 'string' ? error : { ...error, extensions: { ...error.extensions, code } }));
      setResponse(new fetchAPI.Response(JSON.stringify({ ...body, errors }), { status: response.status, headers: jsonHeaders() }));
    },
  };
}
