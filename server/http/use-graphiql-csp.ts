import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

const attributeUrls = (html: string, tag: string, attribute: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b[^>]*\\b${attribute}=["']?([^"'\\s>]+)`, 'gi'))].map((match) => match[1]!);

/** The origins of the absolute http(s) URLs the page itself names (a CDN build of GraphiQL), none for a self-hosted one. */
const originsOf = (urls: string[]) =>
  [...new Set(urls.flatMap((url) => (/^https?:\/\//i.test(url) ? [new URL(url).origin] : [])))];

/**
 * The Content-Security-Policy of the GraphiQL page yoga rendered, read from
 * the page itself: its inline scripts by hash (the options script changes
 * per request, it carries the CSRF header), scripts from this origin and
 * from the origins the page loads from, and nothing else. The same code
 * serves GraphiQL from a CDN or from this server's own assets: served
 * locally, the policy is 'self' and hashes. Monaco runs its workers from
 * blob: URLs and injects its styles, so those are allowed; no eval, no
 * framing, no plugins, no <base>.
 */
export function graphiqlContentSecurityPolicy(html: string): string {
  const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((match) => match[1]!);
  const hashes = inline.filter((script) => script.length > 0).map((script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`);
  const scriptOrigins = originsOf(attributeUrls(html, 'script', 'src'));
  const linkOrigins = originsOf(attributeUrls(html, 'link', 'href'));
  const external = [...new Set([...scriptOrigins, ...linkOrigins])];
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...hashes, ...scriptOrigins].join(' '),
    ['style-src', "'self'", "'unsafe-inline'", ...linkOrigins].join(' '),
    ['img-src', "'self'", 'data:', ...linkOrigins].join(' '),
    ['font-src', "'self'", 'data:', ...external].join(' '),
    // Same-origin fetches and WebSockets; a CDN build also fetches its workers.
    ['connect-src', "'self'", ...external].join(' '),
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the policy on every HTML answer of yoga (GraphiQL is the only one). */
export function useGraphiQLContentSecurityPolicy(): Plugin {
  return {
    onResponse({ request, response }) {
      if (request.method !== 'GET' || !response.headers.get('content-type')?.includes('text/html')) return undefined;
      return response.clone().text().then((html) => {
        response.headers.set('Content-Security-Policy', graphiqlContentSecurityPolicy(html));
        response.headers.set('X-Frame-Options', 'DENY');
        response.headers.set('Referrer-Policy', 'same-origin');
      });
    },
  };
}
