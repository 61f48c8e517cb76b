/**
 * Exponential moving average, stateful: seeded with the SMA of its first
 * `period` values, then one closed-form update per value (no window kept,
 * the same result in batch and streaming, design doc §P2).
 */
export function createEma(period: number) {
  const alpha = 2 / (period + 1);
  let value: number | undefined;
  let seedSum = 0;
  let seen = 0;
  return {
    update(x: number): number | undefined {
      seen += 1;
      if (value === undefined) {
        seedSum += x;
        if (seen === period) value = seedSum / period;
        return value;
      }
      value = alpha * x + (1 - alpha) * value;
      return value;
    },
    get value() {
      return value;
    },
  };
}

export type Ema = ReturnType<typeof createEma>;
