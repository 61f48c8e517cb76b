import { createDecisionEngine, type CycleConfig, type Decision } from './decision-engine.ts';
import type { Candle } from './synthetic-candles.ts';

export { paperWorkerParameters, type Action, type CycleConfig, type Decision, type PaperWorkerParameter, type Position, type Trade } from './decision-engine.ts';

/** Where the worker is, told to the runtime agent (it applies changes only between these). */
export interface TradingBoundaries {
  /** Starts a decision cycle and returns the configuration pinned for it. */
  cycleStart(): CycleConfig;
  cycleEnd(): void;
  positionOpened(): void;
  positionClosed(): void;
  /** Order submission: no configuration change may land while `work` runs. */
  criticalSection<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * A real worker awaits inference and the exchange inside a cycle; these await
 * points are where a configuration change can arrive mid-cycle, so the
 * reference worker has them too.
 */
const inference = () => new Promise<void>((resolve) => setImmediate(resolve));
const exchangeRoundTrip = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The paper worker's per-candle loop around the decision engine: one
 * decision cycle per closed candle with the configuration pinned for it, an
 * inference await inside the cycle, and every order (the engine's trade)
 * submitted inside a critical section, then told to the agent as a position
 * opened or closed. The decisions are the engine's (decision-engine.ts), the
 * same the backtest replays.
 */
export function createPaperTrader(startConfig: CycleConfig) {
  const engine = createDecisionEngine(startConfig);
  return {
    /** Warm the indicators on history (no decisions, no orders). */
    bootstrap: (history: Iterable<Candle>) => engine.bootstrap(history),

    get position() {
      return engine.position;
    },

    get realisedPnl() {
      return engine.realisedPnl;
    },

    /** One decision cycle on a closed candle. */
    async decide(candle: Candle, boundaries: TradingBoundaries): Promise<Decision> {
      const config = boundaries.cycleStart();
      try {
        await inference();
        const decision = engine.decide(candle, config);
        if (decision.trade) {
          await boundaries.criticalSection(exchangeRoundTrip);
          if (decision.trade.side === 'buy') boundaries.positionOpened();
          else boundaries.positionClosed();
        }
        return decision;
      } finally {
        boundaries.cycleEnd();
      }
    },
  };
}

export type PaperTrader = ReturnType<typeof createPaperTrader>;
