import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';
import { repositoryRoot } from '../repository-root.ts';

/** Where `npm run web:build` writes the console. */
export const defaultConsoleDir = path.join(repositoryRoot, 'web/dist');

export type ConsoleFallback = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface ConsoleFallbackOptions {
  /** The built console (web/dist by default). */
  dir?: string;
}

// Vite names every file under assets/ by its content hash: a changed file is a
// new URL, so those can be cached for a year. index.html must be revalidated
// or a deploy would keep serving old chunk names.
const immutable = 'public, max-age=31536000, immutable';
const revalidate = 'no-cache';

const securityHeaders: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  // Same-origin API and WebSocket only ('self' covers ws:/wss: to this host in
  // CSP Level 3 browsers: not any ws: host); inline style attributes come from
  // the virtualised list.
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

/**
 * The `fallback` for createApp: serves the built console from the product's
 * port. Hashed assets are immutable, precompressed .br/.gz files are sent when
 * the browser accepts them, and any client route (a path without an extension
 * asked for as HTML) gets index.html. Anything else resolves false, so the
 * server answers its JSON 404.
 */
export function createConsoleFallback({ dir = defaultConsoleDir }: ConsoleFallbackOptions = {}): ConsoleFallback {
  if (!existsSync(path.join(dir, 'index.html'))) {
    return async (req, res) => {
      if (req.method !== 'GET' || !wantsHtml(req)) return false;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('The console is not built. Run `npm run web:build` (npm start does it when web/dist is missing) and restart.');
      return true;
    };
  }
  const serve = sirv(dir, {
    dev: false,
    etag: true,
    gzip: true,
    brotli: true,
    single: true,
    setHeaders(res, pathname) {
      res.setHeader('Cache-Control', pathname.startsWith('/assets/') ? immutable : revalidate);
      for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
    },
  });
  return (req, res) =>
    new Promise<boolean>((resolve) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return resolve(false);
      const pathname = (req.url ?? '/').split('?')[0] ?? '/';
      const isClientRoute = !/\.[a-z0-9]+$/i.test(pathname);
      // `/` is the console whatever the client asks for; other client routes
      // only for a page load, so an API typo still gets a JSON 404.
      if (isClientRoute && pathname !== '/' && !wantsHtml(req)) return resolve(false);
      // sirv looks files up synchronously (its index is built at start): when
      // it finds nothing it calls next() before returning, so the first
      // resolve wins either way.
      serve(req, res, () => resolve(false));
      resolve(true);
    });
}
