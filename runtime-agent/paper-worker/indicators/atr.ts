import type { Candle } from '../synthetic-candles.ts';

/** Average true range with Wilder smoothing, seeded with the mean of the first `period` true ranges. */
export function createAtr(period: number) {
  let previousClose: number | undefined;
  let value: number | undefined;
  let seedSum = 0;
  let seen = 0;
  return {
    update(candle: Candle): number | undefined {
      const trueRange = previousClose === undefined
        ? candle.high - candle.low
        : Math.max(candle.high - candle.low, Math.abs(candle.high - previousClose), Math.abs(candle.low - previousClose));
      previousClose = candle.close;
      seen += 1;
      if (value === undefined) {
        seedSum += trueRange;
        if (seen === period) value = seedSum / period;
        return value;
      }
      value = (value * (period - 1) + trueRange) / period;
      return value;
    },
    get value() {
      return value;
    },
  };
}
