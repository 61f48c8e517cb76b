// The reference strategy's decisions, one candle at a time: the ONE code path
// the paper worker's per-candle loop (paper-trader.ts) and the backtest
// (runtime-agent/backtest) both run (enrichment design §P5: same state and
// candle in, same state and decision out). It is synchronous and does no I/O:
// where a live worker awaits inference or the exchange is the caller's
// business, not the engine's.
import { createCusumGate } from './cusum-gate.ts';
import { createAtr } from './indicators/atr.ts';
import { createEma } from './indicators/ema.ts';
import { createWilderRsi } from './indicators/wilder-rsi.ts';
import type { Candle } from './synthetic-candles.ts';

/** Every parameter the strategy reads: the worker declares them to its agent, the backtest requires them in its set. */
export const paperWorkerParameters = [
  'CVN_EMA_FAST_PERIOD',
  'CVN_EMA_SLOW_PERIOD',
  'CVN_RSI_PERIOD',
  'CVN_ATR_PERIOD',
  'CVN_CUSUM_THRESHOLD',
  'CVN_SIGNAL_THRESHOLD_BUY',
  'CVN_SIGNAL_THRESHOLD_EXIT',
  'CVN_COOLDOWN_AFTER_TRADE_BARS',
  'CVN_PTE_TP_MULT',
  'CVN_PTE_SL_MULT',
  'CVN_PTE_HORIZON_BARS',
  'CVN_RISK_MAX_POSITION_USDC',
  'CVN_FEE_TAKER_BPS',
  'CVN_ENRICHMENT_PAUSE',
  'CVN_EXEC_HALT_NEW_ENTRIES',
] as const;

export type PaperWorkerParameter = (typeof paperWorkerParameters)[number];

/** The values one decision cycle reads: one version, pinned for the whole cycle. */
export interface CycleConfig {
  readonly version: number;
  number(name: PaperWorkerParameter): number;
  boolean(name: PaperWorkerParameter): boolean;
}

export interface Position {
  id: number;
  entryIndex: number;
  entryPrice: number;
  quantity: number;
  takeProfit: number;
  stopLoss: number;
  horizonBars: number;
}

export type Action = 'open' | 'close' | 'hold' | 'skip' | 'paused';

/** The order an open or close decision sends, as the engine filled it. */
export interface Trade {
  side: 'buy' | 'sell';
  positionId: number;
  price: number;
  quantity: number;
  /** buy: the envelope the position carries. */
  takeProfit?: number;
  stopLoss?: number;
  /** sell: the realised profit and loss, fees included. */
  pnl?: number;
}

/** One decision, tagged with the configuration version that produced it and the values it used. */
export interface Decision {
  candle: number;
  time: number;
  configVersion: number;
  action: Action;
  reason: string;
  price: number;
  score: number | null;
  positionId: number | null;
  /** The values this cycle read (what the tag must explain). */
  used: Partial<Record<PaperWorkerParameter, number | boolean>>;
  pnl?: number;
  /** The resulting trade of an open or close. */
  trade?: Trade;
}

/**
 * The reference paper-trading strategy: stateful indicators (EMA fast/slow,
 * Wilder RSI, ATR) bootstrapped on history, a CUSUM event gate, a signal score
 * against a threshold, long positions with take-profit and stop-loss from the
 * PTE envelope multiples and a horizon. CVN_ENRICHMENT_PAUSE freezes the
 * indicator state and opens nothing (design doc §11: the kill switch);
 * CVN_EXEC_HALT_NEW_ENTRIES stops entries only. Periods are restart-required,
 * so they are read once, from the configuration the engine starts on.
 */
export function createDecisionEngine(startConfig: CycleConfig) {
  const emaFast = createEma(startConfig.number('CVN_EMA_FAST_PERIOD'));
  const emaSlow = createEma(startConfig.number('CVN_EMA_SLOW_PERIOD'));
  const rsi = createWilderRsi(startConfig.number('CVN_RSI_PERIOD'));
  const atr = createAtr(startConfig.number('CVN_ATR_PERIOD'));
  const gate = createCusumGate();
  let position: Position | null = null;
  let nextPositionId = 1;
  let lastExitIndex = -Infinity;
  let realisedPnl = 0;

  function updateIndicators(candle: Candle, cusumThreshold: number): 'up' | 'down' | null {
    emaFast.update(candle.close);
    emaSlow.update(candle.close);
    rsi.update(candle.close);
    const range = atr.update(candle);
    return range === undefined ? null : gate.update(candle.close, range / candle.close, cusumThreshold);
  }

  /** Trend and momentum in [0, 1]; null until every indicator is warm. */
  function score(): number | null {
    if (emaFast.value === undefined || emaSlow.value === undefined || rsi.value === undefined || !atr.value) return null;
    const trend = 1 / (1 + Math.exp(-(emaFast.value - emaSlow.value) / atr.value));
    return 0.7 * trend + 0.3 * (rsi.value / 100);
  }

  function decideWithPosition(candle: Candle, config: CycleConfig, open: Position, base: Omit<Decision, 'action' | 'reason' | 'score' | 'positionId'>, paused: boolean): Decision {
    const { used } = base;
    const exitThreshold = config.number('CVN_SIGNAL_THRESHOLD_EXIT');
    used.CVN_SIGNAL_THRESHOLD_EXIT = exitThreshold;
    if (!paused) updateIndicators(candle, config.number('CVN_CUSUM_THRESHOLD'));
    const current = score();
    let exit: { price: number; reason: string } | null = null;
    if (candle.low <= open.stopLoss) exit = { price: open.stopLoss, reason: 'stop-loss' };
    else if (candle.high >= open.takeProfit) exit = { price: open.takeProfit, reason: 'take-profit' };
    else if (candle.index - open.entryIndex >= open.horizonBars) exit = { price: candle.close, reason: 'horizon' };
    else if (current !== null && current < exitThreshold) exit = { price: candle.close, reason: 'signal-exit' };
    if (!exit) return { ...base, action: 'hold', reason: 'position open', score: current, positionId: open.id };
    const fee = config.number('CVN_FEE_TAKER_BPS') / 10_000;
    used.CVN_FEE_TAKER_BPS = fee * 10_000;
    const gross = (exit.price - open.entryPrice) * open.quantity;
    const pnl = gross - fee * (exit.price + open.entryPrice) * open.quantity;
    realisedPnl += pnl;
    position = null;
    lastExitIndex = candle.index;
    return {
      ...base, action: 'close', reason: exit.reason, price: exit.price, score: current, positionId: open.id, pnl,
      trade: { side: 'sell', positionId: open.id, price: exit.price, quantity: open.quantity, pnl },
    };
  }

  function decideFlat(candle: Candle, config: CycleConfig, base: Omit<Decision, 'action' | 'reason' | 'score' | 'positionId'>, paused: boolean): Decision {
    const { used } = base;
    if (paused) return { ...base, action: 'paused', reason: 'CVN_ENRICHMENT_PAUSE: state frozen, no entries', score: score(), positionId: null };
    const cusumThreshold = config.number('CVN_CUSUM_THRESHOLD');
    used.CVN_CUSUM_THRESHOLD = cusumThreshold;
    const event = updateIndicators(candle, cusumThreshold);
    const current = score();
    const buyThreshold = config.number('CVN_SIGNAL_THRESHOLD_BUY');
    const cooldown = config.number('CVN_COOLDOWN_AFTER_TRADE_BARS');
    const halted = config.boolean('CVN_EXEC_HALT_NEW_ENTRIES');
    Object.assign(used, { CVN_SIGNAL_THRESHOLD_BUY: buyThreshold, CVN_COOLDOWN_AFTER_TRADE_BARS: cooldown, CVN_EXEC_HALT_NEW_ENTRIES: halted });
    if (current === null) return { ...base, action: 'skip', reason: 'warming up', score: null, positionId: null };
    if (event !== 'up') return { ...base, action: 'skip', reason: 'no CUSUM event', score: current, positionId: null };
    if (halted) return { ...base, action: 'skip', reason: 'new entries halted', score: current, positionId: null };
    if (candle.index - lastExitIndex <= cooldown) return { ...base, action: 'skip', reason: 'cooldown', score: current, positionId: null };
    if (current < buyThreshold) return { ...base, action: 'skip', reason: 'score below threshold', score: current, positionId: null };

    const maxPosition = config.number('CVN_RISK_MAX_POSITION_USDC');
    const tpMult = config.number('CVN_PTE_TP_MULT');
    const slMult = config.number('CVN_PTE_SL_MULT');
    const horizonBars = config.number('CVN_PTE_HORIZON_BARS');
    Object.assign(used, { CVN_PTE_TP_MULT: tpMult, CVN_PTE_SL_MULT: slMult, CVN_PTE_HORIZON_BARS: horizonBars });
    const range = atr.value!;
    const opened: Position = {
      id: nextPositionId++,
      entryIndex: candle.index,
      entryPrice: candle.close,
      quantity: maxPosition / candle.close,
      takeProfit: candle.close + tpMult * range,
      stopLoss: candle.close - slMult * range,
      horizonBars,
    };
    position = opened;
    return {
      ...base, action: 'open', reason: 'CUSUM up-event and score above threshold', score: current, positionId: opened.id,
      trade: { side: 'buy', positionId: opened.id, price: opened.entryPrice, quantity: opened.quantity, takeProfit: opened.takeProfit, stopLoss: opened.stopLoss },
    };
  }

  return {
    /** Warm the indicators on history (no decisions, no orders). */
    bootstrap(history: Iterable<Candle>): void {
      for (const candle of history) updateIndicators(candle, startConfig.number('CVN_CUSUM_THRESHOLD'));
    },

    get position(): Position | null {
      return position;
    },

    get realisedPnl(): number {
      return realisedPnl;
    },

    /** One decision on a closed candle with the values of one version; an open or close carries its trade. */
    decide(candle: Candle, config: CycleConfig): Decision {
      const paused = config.boolean('CVN_ENRICHMENT_PAUSE');
      // The risk limit in force is read every cycle: a test checks it never
      // changes while a position is open.
      const used: Decision['used'] = { CVN_ENRICHMENT_PAUSE: paused, CVN_RISK_MAX_POSITION_USDC: config.number('CVN_RISK_MAX_POSITION_USDC') };
      const base = { candle: candle.index, time: candle.time, configVersion: config.version, price: candle.close, used };
      return position ? decideWithPosition(candle, config, position, base, paused) : decideFlat(candle, config, base, paused);
    },
  };
}

export type DecisionEngine = ReturnType<typeof createDecisionEngine>;
