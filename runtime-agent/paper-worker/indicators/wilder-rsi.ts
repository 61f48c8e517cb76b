/** Wilder's RSI: average gain and loss with Wilder smoothing (alpha = 1/period). */
export function createWilderRsi(period: number) {
  let previous: number | undefined;
  let avgGain = 0;
  let avgLoss = 0;
  let seen = 0;
  let value: number | undefined;
  return {
    update(close: number): number | undefined {
      if (previous === undefined) {
        previous = close;
        return undefined;
      }
      const change = close - previous;
      previous = close;
      const gain = Math.max(change, 0);
      const loss = Math.max(-change, 0);
      seen += 1;
      if (seen <= period) {
        avgGain += gain / period;
        avgLoss += loss / period;
        if (seen < period) return undefined;
      } else {
        avgGain = (avgGain * (period - 1) + gain) / period;
        avgLoss = (avgLoss * (period - 1) + loss) / period;
      }
      value = avgLoss === 0 ? 100 : 100 - 100 / (1 + avgGain / avgLoss);
      return value;
    },
    get value() {
      return value;
    },
  };
}
