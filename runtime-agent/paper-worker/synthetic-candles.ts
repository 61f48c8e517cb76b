/** One OHLCV bar. */
export interface Candle {
  index: number;
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** mulberry32: a tiny, well-known seeded PRNG; same seed, same market. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic synthetic candles: a geometric random walk whose drift and
 * volatility switch regime every few hundred bars, so trends, chop and
 * volatility bursts all occur. Candle i is the same for a given seed whatever
 * was asked before (the generator is a pure function of seed and index order).
 */
export function createCandleSource({ seed, startPrice = 30_000, barMs = 60_000, startTime = Date.UTC(2026, 0, 1) }: {
  seed: number;
  startPrice?: number;
  barMs?: number;
  startTime?: number;
}) {
  const random = mulberry32(seed);
  const gaussian = () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  let index = 0;
  let price = startPrice;
  let drift = 0;
  let volatility = 0.002;
  return {
    next(): Candle {
      if (index % 240 === 0) {
        drift = (random() - 0.5) * 0.0008;
        volatility = 0.001 + random() * 0.004;
      }
      const open = price;
      const close = open * Math.exp(drift + volatility * gaussian());
      const wick = () => Math.abs(gaussian()) * volatility * open * 0.5;
      const candle: Candle = {
        index,
        time: startTime + index * barMs,
        open,
        high: Math.max(open, close) + wick(),
        low: Math.min(open, close) - wick(),
        close,
        volume: 10 + random() * 90,
      };
      price = close;
      index += 1;
      return candle;
    },
  };
}
