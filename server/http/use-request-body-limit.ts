import type { Plugin } from 'graphql-yoga';
import { limitExceeded, toGraphQLError, type AppError } from '../errors/index.ts';

const figure = (n: number) => n.toLocaleString('en-US');

const tooLarge = (max: number, found?: number): AppError<'LIMIT_EXCEEDED'> =>
  limitExceeded(
    `The request body is ${found === undefined ? `over ${figure(max)}` : figure(found)} bytes; at most ${figure(max)} are accepted.`,
    { limit: 'requestBytes', max, ...(found === undefined ? {} : { found }) },
  );

/**
 * Refuses a request body over `maxBytes` before anything reads it, for every
 * GraphQL route yoga serves: /graphql (and its SSE) and /graphql/stream,
 * whose graphql-sse handler reads the body itself and so escapes yoga's own
 * maxRequestBodySize. A declared Content-Length is judged at once; a body
 * without one (chunked) is read up to the limit and no further.
 */
export function useRequestBodyLimit({ maxBytes }: { maxBytes: number }): Plugin {
  return {
    async onRequest({ request, setRequest, endResponse, fetchAPI }) {
      if (request.body === null || request.method === 'GET' || request.method === 'HEAD') return;
      const refuse = (error: AppError<'LIMIT_EXCEEDED'>) => {
        const { http: _http, ...extensions } = toGraphQLError(error).toJSON().extensions ?? {};
        endResponse(new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
          status: 413,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }));
      };
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        const length = Number(declared);
        // A malformed length is yoga's to refuse (BAD_REQUEST); a length over the limit is ours.
        if (Number.isInteger(length) && length > maxBytes) refuse(tooLarge(maxBytes, length));
        return;
      }
      const body = await readAtMost(request.body, maxBytes);
      if (body === undefined) return refuse(tooLarge(maxBytes));
      setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal }));
    },
  };
}

/** The whole body, or undefined as soon as it goes past `maxBytes` (the rest is never read). */
async function readAtMost(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
