/**
 * Symmetric CUSUM event filter on log returns, in units of the current
 * volatility (ATR / price): an event fires when the cumulative move since the
 * last event exceeds `threshold` units up or down, then the sums reset. The
 * threshold is read at every candle, so a new value applies from the next
 * cycle on.
 */
export function createCusumGate() {
  let up = 0;
  let down = 0;
  let previous: number | undefined;
  return {
    update(close: number, volatility: number, threshold: number): 'up' | 'down' | null {
      if (previous === undefined || volatility <= 0) {
        previous = close;
        return null;
      }
      const move = Math.log(close / previous) / volatility;
      previous = close;
      up = Math.max(0, up + move);
      down = Math.min(0, down + move);
      if (up > threshold) {
        up = 0;
        down = 0;
        return 'up';
      }
      if (down < -threshold) {
        up = 0;
        down = 0;
        return 'down';
      }
      return null;
    },
  };
}
