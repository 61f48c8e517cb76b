import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

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
      const result = await lighthouse(url, {
        port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['accessibility', 'best-practices', 'performance'],
        extraHeaders: { cookie }, formFactor, throttlingMethod: 'provided',
        screenEmulation: formFactor === 'desktop' ? { mobile: false, width: 1350, height: 940, deviceScaleFactor: 1, disabled: false } : undefined,
      });
      const lhr = result!.lhr;
      const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
      const ms = (id: string) => Math.round(lhr.audits[id]?.numericValue ?? Number.NaN);
      const failing = ['accessibility', 'best-practices'].flatMap((category) => (lhr.categories[category]?.auditRefs ?? [])
        .filter((ref) => ref.weight > 0 && (lhr.audits[ref.id]?.score ?? 1) < 1)
        .map((ref) => `${category}: ${ref.id} (${lhr.audits[ref.id]?.title})`));
      return {
        accessibility: score('accessibility'), bestPractices: score('best-practices'), performance: score('performance'),
        interactiveMs: ms('interactive'), totalBlockingMs: ms('total-blocking-time'), largestPaintMs: ms('largest-contentful-paint'), failing,
      };
    },
    close: () => chrome.kill(),
  };
}
