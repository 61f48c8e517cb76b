// What a backtest replays, kept on its run (metadata.backtest) so a re-run
// replays exactly the same: the symbols, how many candles each, the history
// the engine is bootstrapped on, and the seed of the synthetic market.
import { BacktestError } from './backtest-error.ts';

export interface BacktestSpec {
  /** Sorted and unique (the digest does not depend on the order they were asked in). */
  symbols: string[];
  /** Decided candles per symbol. */
  candles: number;
  /** Candles per symbol the indicators are bootstrapped on before the first decision. */
  historyBars: number;
  /** The market's seed; each symbol's candles come from a seed derived from it and the symbol. */
  seed: number;
  /** The decision engine the digest belongs to (a change of strategy code changes it). */
  engine: typeof BACKTEST_ENGINE;
}

export const BACKTEST_ENGINE = 'reference-paper-worker/1';

/** Bounds: a backtest is a bounded job (the product runs queued ones in its own process). */
export const BACKTEST_LIMITS = { maxSymbols: 20, maxCandles: 200_000, maxHistoryBars: 10_000 } as const;

const symbolPattern = /^[A-Z0-9]{2,20}$/;

/** The spec, checked; BacktestError INVALID_SPEC naming what is wrong. */
export function backtestSpec(input: { symbols: readonly string[]; candles?: number; historyBars?: number; seed?: number }): BacktestSpec {
  const { candles = 2_000, historyBars = 500, seed = 42 } = input;
  const symbols = [...new Set(input.symbols.map((s) => s.trim().toUpperCase()))].sort();
  if (symbols.length === 0 || symbols.length > BACKTEST_LIMITS.maxSymbols) throw new BacktestError('INVALID_SPEC', `Give 1 to ${BACKTEST_LIMITS.maxSymbols} symbols.`);
  const bad = symbols.find((s) => !symbolPattern.test(s));
  if (bad !== undefined) throw new BacktestError('INVALID_SPEC', `${JSON.stringify(bad)} is not a symbol (2 to 20 letters and digits, e.g. BTCUSDC).`);
  const integer = (value: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) throw new BacktestError('INVALID_SPEC', `${name} is a whole number from ${min} to ${max}, not ${value}.`);
  };
  integer(candles, 'candles', 1, BACKTEST_LIMITS.maxCandles);
  integer(historyBars, 'historyBars', 0, BACKTEST_LIMITS.maxHistoryBars);
  integer(seed, 'seed', 0, 2 ** 32 - 1);
  return { symbols, candles, historyBars, seed, engine: BACKTEST_ENGINE };
}

/** The spec kept on a run (metadata.backtest), or INVALID_SPEC when the run is not a runnable backtest. */
export function readBacktestSpec(metadata: unknown): BacktestSpec {
  const stored = (metadata as { backtest?: Partial<BacktestSpec> } | null)?.backtest;
  if (!stored || !Array.isArray(stored.symbols)) throw new BacktestError('INVALID_SPEC', 'The run has no backtest spec (metadata.backtest { symbols, candles, historyBars, seed }): it cannot be replayed.');
  if (stored.engine !== BACKTEST_ENGINE) throw new BacktestError('INVALID_SPEC', `The run was replayed by engine ${String(stored.engine)}; this one is ${BACKTEST_ENGINE}.`);
  return backtestSpec({ symbols: stored.symbols, candles: stored.candles, historyBars: stored.historyBars, seed: stored.seed });
}

/** Each symbol's own market: FNV-1a of the seed and the symbol (stable across processes and versions of Node). */
export function symbolSeed(seed: number, symbol: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${symbol}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
