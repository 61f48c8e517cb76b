import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import WebSocket from 'ws';

/** The scores and timings one Lighthouse run gives a page (scores 0 to 100, timings in ms). */
export interface LighthouseResult {
  accessibility: number;
  bestPractices: number;
  performance: number;
  interactiveMs: number;
  totalBlockingMs: number;
  largestPaintMs: number;
  /** The failing audits of a category below 100, for a readable failure. */
  failing: string[];
}

// Debian's Chromium with the flags that keep it off the closed network (shared FACTS.md).
const chromeFlags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One Chromium for several Lighthouse runs; `close` ends it. */
export async function launchLighthouseChrome() {
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', chromeFlags });
  return {
    /**
     * Lighthouse 12 on `url` as the holder of `cookie`. Phone: the mobile form
     * factor and screen (412 px). Throttling is `provided`: the page's real
     * timings on this machine over loopback, not Lantern's simulation of a
     * slow network (which on loopback models a network that is not there).
     */
    async audit(url: string, { cookie, formFactor = 'mobile' }: { cookie: string; formFactor?: 'mobile' | 'desktop' }): Promise<LighthouseResult> {
      // In the browser's cookie jar, not an extra header: the console reads
      // its CSRF cookie from document.cookie, as it does for an operator.
      await setBrowserCookies(chrome.port, url, cookie);
      const result = await lighthouse(url, {
        port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['accessibility', 'best-practices', 'performance'],
        formFactor, throttlingMethod: 'provided',
        screenEmulation: formFactor === 'desktop' ? { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false } : undefined,
      });
      const lhr = result!.lhr;
      const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
      const ms = (id: string) => Math.round(lhr.audits[id]?.numericValue ?? Number.NaN);
      const failing = ['accessibility', 'best-practices'].flatMap((category) => (lhr.categories[category]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
        .map((ref) => `${category}: ${ref.id} (${lhr.audits[ref.id]?.title}${detailsOf(lhr.audits[ref.id]?.details)})`));
      return {
        accessibility: score('accessibility'), bestPractices: score('best-practices'), performance: score('performance'),
        interactiveMs: ms('interactive'), totalBlockingMs: ms('total-blocking-time'), largestPaintMs: ms('largest-contentful-paint'), failing,
      };
    },
    close: () => chrome.kill(),
  };
}

/** What an audit found, briefly (e.g. the console errors behind errors-in-console). */
function detailsOf(details: unknown): string {
  const items = (details as { items?: Array<Record<string, unknown>> } | undefined)?.items ?? [];
  const described = items.slice(0, 3).map((item) => String(item.description ?? item.source ?? item.url ?? '')).filter(Boolean);
  return described.length ? `: ${described.join(' | ').slice(0, 400)}` : '';
}

/** `name=value; …` of `cookieHeader` into the browser's cookie jar for `url`'s origin (CDP Storage.setCookies). */
async function setBrowserCookies(port: number, url: string, cookieHeader: string): Promise<void> {
  const { webSocketDebuggerUrl } = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
  const cookies = cookieHeader.split(';').map((pair) => pair.trim()).filter(Boolean).map((pair) => {
    const at = pair.indexOf('=');
    return { name: pair.slice(0, at), value: pair.slice(at + 1), url: new URL(url).origin };
  });
  const socket = new WebSocket(webSocketDebuggerUrl);
  try {
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
    const answer = new Promise<{ error?: { message: string } }>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data)) as { error?: { message: string } }));
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ id: 1, method: 'Storage.setCookies', params: { cookies } }));
    const { error } = await answer;
    if (error) throw new Error(`Storage.setCookies: ${error.message}`);
  } finally {
    socket.close();
  }
}
