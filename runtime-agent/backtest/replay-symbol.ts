import { createDecisionEngine, type CycleConfig, type Decision } from '../paper-worker/decision-engine.ts';
import type { Candle } from '../paper-worker/synthetic-candles.ts';

/** Candles decided between two yields to the event loop: a backtest in the server's process never holds it for long. */
const CANDLES_PER_TURN = 2_000;

/**
 * One symbol through the decision engine, the way the paper worker runs it:
 * bootstrapped on `historyBars` candles of its market, then one decision per
 * candle with the frozen configuration (a set never changes mid-run). The
 * same engine, state and candles give the same decisions (§P5).
 */
export async function replaySymbol({ config, next, historyBars, candles, onDecision, signal }: {
  config: CycleConfig;
  /** The symbol's candles, in order (a seeded synthetic source). */
  next: () => Candle;
  historyBars: number;
  candles: number;
  onDecision(decision: Decision): void;
  signal?: AbortSignal;
}): Promise<{ realisedPnl: number }> {
  const engine = createDecisionEngine(config);
  engine.bootstrap(Array.from({ length: historyBars }, next));
  for (let i = 0; i < candles; i += 1) {
    if (i > 0 && i % CANDLES_PER_TURN === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
    onDecision(engine.decide(next(), config));
  }
  return { realisedPnl: engine.realisedPnl };
}
