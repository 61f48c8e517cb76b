// The hand-written part of the first-start catalog: every parameter the trading
// pipeline (enrichment -> features -> inference -> filters -> execution) reads,
// i.e. what used to live in ftf_config.base_env and the Streamlit PARAM_OPTIONS
// dictionaries. Training hyper-parameters are generated separately
// (training-hyperparameter-catalog.ts) because they follow one pattern.
//
// Conventions that the seed test enforces:
// - values are strings (ADR-59); FLOAT defaults are written as decimals;
// - only THRESHOLD, FILTER_FLAG, COOLDOWN and RISK_LIMIT parameters are
//   hot-reloadable: those are the categories the runtime has a safe boundary
//   for (between decision cycles / when no position is open). Everything else
//   is restart-required, the platform default;
// - `critical` (approval required) is kept for the few switches that can lose
//   money or silently change what the model sees: risk limits, kill switches,
//   the enrichment engine switch, the model type, live trading. Everything
//   else must stay editable without an approver.
import type { CatalogEntrySeed } from './catalog-entry-seed.ts';

/**
 * The labeling / exit envelopes that are legal today, keyed by their
 * ftf_config name `ATR<stop-loss>_<take-profit>_H<horizon>`. The numbers are
 * also what CVN_PTE_SL_MULT / CVN_PTE_TP_MULT / CVN_PTE_HORIZON_BARS must hold
 * while the envelope is selected (see the `pte-envelope-matches-multiples`
 * rule), so both are derived from this one table.
 */
export const PTE_ENVELOPES: Readonly<Record<string, { slMult: number; tpMult: number; horizonBars: number }>> = {
  // Current policy since incident #673 / ADR-65.
  'ATR0.5_1.5_H4': { slMult: 0.5, tpMult: 1.5, horizonBars: 4 },
  'ATR0.5_1.0_H3': { slMult: 0.5, tpMult: 1.0, horizonBars: 3 },
  'ATR0.75_1.5_H4': { slMult: 0.75, tpMult: 1.5, horizonBars: 4 },
  'ATR0.5_2.0_H6': { slMult: 0.5, tpMult: 2.0, horizonBars: 6 },
  'ATR1.0_2.0_H8': { slMult: 1.0, tpMult: 2.0, horizonBars: 8 },
};

/** Envelope value that lets TP / SL / horizon be set freely (FTF sweeps). */
export const PTE_CUSTOM_ENVELOPE = 'CUSTOM';

/** The envelope whose silent use caused incident #673; refused, never deleted. */
export const PTE_DEPRECATED_ENVELOPE = 'ATR1.5_3.0_H5';

type SectionEntry = Omit<CatalogEntrySeed, 'groupName' | 'category'> & Partial<Pick<CatalogEntrySeed, 'groupName' | 'category'>>;
type SectionDefaults = Pick<CatalogEntrySeed, 'groupName' | 'category'> & Pick<CatalogEntrySeed, 'hotReloadable'>;

/** A display group: the group's category / reload policy apply unless an entry says otherwise. */
function section(defaults: SectionDefaults, entries: SectionEntry[]): CatalogEntrySeed[] {
  return entries.map((entry) => ({ ...defaults, ...entry }));
}

function enrichment(): CatalogEntrySeed[] {
  return section({ groupName: 'Enrichment', category: 'FEATURE_ENGINEERING', hotReloadable: false }, [
    {
      name: 'CVN_ENRICHMENT_STATEFUL_ENABLED',
      type: 'ENUM',
      allowedValues: ['0', 'shadow', '1'],
      defaultValue: '0',
      critical: true,
      description:
        "Selects the enrichment engine: '0' legacy rolling-window path, 'shadow' runs both and logs divergences, '1' stateful incremental engine only. Flipping it changes the features every model sees.",
    },
    {
      name: 'CVN_ENRICHMENT_PAUSE',
      type: 'BOOL',
      defaultValue: 'false',
      category: 'FILTER_FLAG',
      hotReloadable: true,
      critical: true,
      excludedFromFtf: true,
      description:
        'Kill switch: freezes enrichment state updates in place and re-emits the last known features each candle (logs CRIT enrichment_paused_by_operator). Use after an upstream data incident.',
    },
    {
      name: 'CVN_ENRICHMENT_SHADOW_MODE',
      type: 'BOOL',
      defaultValue: 'false',
      category: 'FILTER_FLAG',
      hotReloadable: true,
      description:
        'Keeps the stateful-vs-legacy comparison running as a long-term drift sentinel, including on live workers. Can be switched on for an investigation without a redeploy.',
    },
    {
      name: 'CVN_ENRICHMENT_SHADOW_TOLERANCE',
      type: 'FLOAT',
      minValue: 0,
      maxValue: 0.001,
      defaultValue: '0.000000001',
      unit: 'relative',
      description: 'Relative difference between the stateful and legacy feature values above which shadow mode logs a divergence WARN.',
    },
    {
      name: 'CVN_ENRICHMENT_SHADOW_BUDGET',
      type: 'INT',
      minValue: 0,
      maxValue: 1000,
      defaultValue: '5',
      unit: 'warnings',
      description: 'Divergence WARNs tolerated per feature per fold before the run fails fast with enrichment_shadow_budget_exceeded.',
    },
    {
      name: 'CVN_ENRICHMENT_WARMUP_BARS',
      type: 'INT',
      minValue: 100,
      maxValue: 50000,
      defaultValue: '1500',
      unit: 'bars',
      description:
        'History fetched to bootstrap the enrichment state before the first live candle. Too short a warm-up makes the first candles drift from the backtest.',
    },
    {
      name: 'CVN_ENRICHMENT_BOOTSTRAP_AUTO_FETCH',
      type: 'BOOL',
      defaultValue: 'false',
      description:
        'When the bootstrap history is shorter than the warm-up, fetch more from the exchange adapter instead of refusing to start. Off = raise, the safe default.',
    },
    {
      name: 'CVN_ENRICHMENT_FEATURE_SET_VERSION',
      type: 'STRING',
      defaultValue: 'v2',
      // The version is part of the enricher state key and of the model artifact; a free-form typo would
      // silently start a second, cold enricher.
      validator: "value.matches('^v[0-9]+(\\\\.[0-9]+)?$')",
      description: "Feature set version the workers compute ('v<major>' or 'v<major>.<minor>'). Must match the version the deployed model was trained on.",
    },
    {
      name: 'CVN_ENRICHMENT_REGISTRY_EVICTION_SECONDS',
      type: 'INT',
      minValue: 60,
      maxValue: 86400,
      defaultValue: '600',
      unit: 'seconds',
      excludedFromFtf: true,
      description: 'An enricher instance no user has referenced for this long is dropped from the per-process registry.',
    },
  ]);
}

function data(): CatalogEntrySeed[] {
  return section({ groupName: 'Data', category: 'FEATURE_ENGINEERING', hotReloadable: false }, [
    {
      name: 'CVN_TIMEFRAME',
      type: 'ENUM',
      allowedValues: ['5m', '15m', '1h'],
      defaultValue: '5m',
      description: 'Base candle timeframe of the pipeline. Models are trained per timeframe, so changing it needs a matching model.',
    },
    {
      name: 'CVN_DATA_HISTORY_DAYS',
      type: 'INT',
      minValue: 30,
      maxValue: 3650,
      defaultValue: '365',
      unit: 'days',
      description: 'OHLCV history loaded for training and backtests.',
    },
    {
      name: 'CVN_DATA_MAX_GAP_BARS',
      type: 'INT',
      minValue: 0,
      maxValue: 500,
      defaultValue: '5',
      unit: 'bars',
      description: 'Longest run of missing candles the enrichment tolerates; a longer gap stops the stream instead of silently bridging it.',
    },
    {
      name: 'CVN_DATA_MTF_RESAMPLES',
      type: 'STRING',
      defaultValue: '1h,6h',
      // Parsed by the multi-timeframe engine; reject anything it could not parse at save time rather than at boot.
      validator: "value.matches('^[0-9]+[mhd](,[0-9]+[mhd])*$')",
      description: "Comma-separated higher timeframes resampled from the base candles for multi-timeframe features, e.g. '1h,6h'.",
    },
  ]);
}

function indicators(): CatalogEntrySeed[] {
  const period = (name: string, defaultValue: string, maxValue: number, description: string, extra: Partial<SectionEntry> = {}): SectionEntry => ({
    name,
    type: 'INT',
    minValue: 2,
    maxValue,
    defaultValue,
    unit: 'bars',
    description,
    ...extra,
  });
  return section({ groupName: 'Indicators', category: 'FEATURE_ENGINEERING', hotReloadable: false }, [
    period('CVN_ATR_PERIOD', '14', 200, 'Wilder ATR period. ATR scales the PTE barriers and the volatility filter.'),
    period('CVN_EMA_FAST_PERIOD', '20', 200, 'Period of the fast EMA used by the trend features.'),
    period('CVN_EMA_SLOW_PERIOD', '50', 500, 'Period of the slow EMA used by the trend features; must stay above the fast period.', {
      minValue: 3,
      validator: 'value > params.CVN_EMA_FAST_PERIOD',
    }),
    period('CVN_RSI_PERIOD', '14', 100, 'Wilder RSI period of the short-horizon momentum feature.'),
    period('CVN_RSI_LONG_PERIOD', '48', 500, 'Wilder RSI period of the long-horizon momentum feature (RSI_48).'),
    period('CVN_ADX_PERIOD', '48', 500, 'ADX period (ADX_48) used by the trend-strength features and the trend filter.'),
    period('CVN_MACD_FAST', '24', 200, 'Fast EMA period of the MACD feature (MACD_24_64_18).'),
    period('CVN_MACD_SLOW', '64', 500, 'Slow EMA period of the MACD feature; must stay above the fast period.', {
      minValue: 3,
      validator: 'value > params.CVN_MACD_FAST',
    }),
    period('CVN_MACD_SIGNAL', '18', 200, 'Signal-line EMA period of the MACD feature.'),
    period('CVN_BOLLINGER_PERIOD', '20', 500, 'Window of the Bollinger band moving average.'),
    {
      name: 'CVN_BOLLINGER_STD',
      type: 'FLOAT',
      minValue: 0.5,
      maxValue: 5,
      defaultValue: '2.0',
      unit: 'sigma',
      description: 'Width of the Bollinger bands in standard deviations.',
    },
    period('CVN_ZSCORE_WINDOW', '50', 1000, 'Rolling window of the *_zscore features.', { minValue: 5 }),
    period('CVN_VOLATILITY_WINDOW', '20', 1000, 'Window of the realised-volatility feature.'),
    period('CVN_SAVGOL_WINDOW', '11', 201, 'Window of the Savitzky-Golay price smoother; the filter needs an odd window.', {
      minValue: 3,
      // CEL int arithmetic: INT values are CEL ints, so % is integer modulo (sign follows the dividend; the bounds keep it positive).
      validator: 'value % 2 == 1',
    }),
    {
      name: 'CVN_SAVGOL_POLYORDER',
      type: 'INT',
      minValue: 1,
      maxValue: 10,
      defaultValue: '3',
      description: 'Polynomial order of the Savitzky-Golay smoother; must be below the window length.',
      validator: 'value < params.CVN_SAVGOL_WINDOW',
    },
    period('CVN_RSI_WINDOW', '14', 100, 'Former name of the short RSI period.', {
      required: false,
      deprecated: true,
      deprecationReason: 'Renamed to CVN_RSI_PERIOD to match the other *_PERIOD indicator parameters; no longer read by the pipeline.',
      replacementName: 'CVN_RSI_PERIOD',
    }),
  ]);
}

function cusum(): CatalogEntrySeed[] {
  return section({ groupName: 'CUSUM gate', category: 'THRESHOLD', hotReloadable: true }, [
    {
      name: 'CVN_CUSUM_ENABLED',
      type: 'BOOL',
      defaultValue: 'true',
      category: 'FILTER_FLAG',
      description: 'Gates feature emission, inference and filters on CUSUM events. Off = every candle is evaluated (enrichment state is updated either way).',
    },
    {
      name: 'CVN_CUSUM_THRESHOLD',
      type: 'FLOAT',
      minValue: 0.1,
      maxValue: 20,
      defaultValue: '2.0',
      unit: 'sigma',
      description: 'Cumulative return deviation, in return standard deviations, that fires a CUSUM event. Higher = fewer, stronger events.',
    },
    {
      name: 'CVN_CUSUM_DRIFT',
      type: 'FLOAT',
      minValue: 0,
      maxValue: 5,
      defaultValue: '0.0',
      unit: 'sigma',
      description: 'Drift subtracted at each step of the CUSUM accumulator; damps slow trends.',
    },
    {
      name: 'CVN_CUSUM_SIGMA_WINDOW',
      type: 'INT',
      minValue: 10,
      maxValue: 5000,
      defaultValue: '100',
      unit: 'bars',
      category: 'FEATURE_ENGINEERING',
      // The sigma is pinned with the model version (MLflow), so it is not a live knob.
      hotReloadable: false,
      description: 'Window of the return standard deviation that normalises the CUSUM threshold. Pinned with the model version.',
    },
  ]);
}

function pte(): CatalogEntrySeed[] {
  const envelopes = Object.keys(PTE_ENVELOPES);
  const current = PTE_ENVELOPES['ATR0.5_1.5_H4']!;
  return section({ groupName: 'PTE envelope', category: 'EXECUTION', hotReloadable: false }, [
    {
      name: 'CVN_PTE_ENVELOPE',
      type: 'ENUM',
      allowedValues: [...envelopes, PTE_CUSTOM_ENVELOPE],
      defaultValue: 'ATR0.5_1.5_H4',
      deprecatedValues: [
        {
          value: PTE_DEPRECATED_ENVELOPE,
          reason:
            'Superseded PTE policy. Incident #673: a 3h FTF run on defi_top5 silently ran under it (silent override by a Python default) and produced unusable results (f1_buy < 0.20). Use ATR0.5_1.5_H4.',
        },
      ],
      description:
        "Labeling and exit envelope 'ATR<stop-loss>_<take-profit>_H<horizon bars>'. CUSTOM lets CVN_PTE_SL_MULT, CVN_PTE_TP_MULT and CVN_PTE_HORIZON_BARS be set freely.",
    },
    {
      name: 'CVN_PTE_TP_MULT',
      type: 'FLOAT',
      minValue: 0.1,
      maxValue: 10,
      defaultValue: current.tpMult.toFixed(1),
      unit: 'ATR',
      description: 'Take-profit barrier in ATR multiples. Must equal the envelope value unless the envelope is CUSTOM, and stay above the stop-loss.',
    },
    {
      name: 'CVN_PTE_SL_MULT',
      type: 'FLOAT',
      minValue: 0.1,
      maxValue: 10,
      defaultValue: current.slMult.toFixed(1),
      unit: 'ATR',
      description: 'Stop-loss barrier in ATR multiples. Must equal the envelope value unless the envelope is CUSTOM.',
    },
    {
      name: 'CVN_PTE_HORIZON_BARS',
      type: 'INT',
      minValue: 1,
      maxValue: 200,
      defaultValue: String(current.horizonBars),
      unit: 'bars',
      description: 'Vertical barrier: a position neither stopped nor taken profit is closed after this many bars.',
    },
    {
      name: 'CVN_PTE_TRAILING_STOP_ENABLED',
      type: 'BOOL',
      defaultValue: 'false',
      description: 'Moves the stop-loss barrier up with the price once the trade is in profit.',
    },
    {
      name: 'CVN_ATR_MULT',
      type: 'FLOAT',
      minValue: 0.1,
      maxValue: 10,
      defaultValue: '1.5',
      unit: 'ATR',
      required: false,
      deprecated: true,
      deprecationReason:
        'A single ATR multiple could not express asymmetric barriers; split into CVN_PTE_TP_MULT and CVN_PTE_SL_MULT. No longer read by the pipeline.',
      replacementName: 'CVN_PTE_TP_MULT',
      description: 'Former symmetric barrier width in ATR multiples.',
    },
  ]);
}

function signals(): CatalogEntrySeed[] {
  const probability = (name: string, defaultValue: string, description: string): SectionEntry => ({
    name,
    type: 'FLOAT',
    minValue: 0,
    maxValue: 1,
    defaultValue,
    unit: 'probability',
    description,
  });
  return section({ groupName: 'Signals', category: 'THRESHOLD', hotReloadable: true }, [
    {
      name: 'CVN_SIGNAL_THRESHOLD_MODE',
      type: 'ENUM',
      allowedValues: ['fixed', 'calibrated', 'quantile'],
      defaultValue: 'fixed',
      description:
        "How entry thresholds are applied: 'fixed' uses the thresholds below, 'calibrated' applies them to calibrated probabilities, 'quantile' uses CVN_SIGNAL_THRESHOLD_QUANTILE.",
    },
    probability('CVN_SIGNAL_THRESHOLD_BUY', '0.55', 'Minimum p(BUY) that emits a BUY signal.'),
    probability('CVN_SIGNAL_THRESHOLD_SELL', '0.55', 'Minimum p(SELL) that emits a SELL signal.'),
    probability('CVN_SIGNAL_THRESHOLD_EXIT', '0.40', 'An open long is closed early when p(BUY) falls below this; kept under the BUY threshold so signals do not flap.'),
    probability('CVN_SIGNAL_MIN_PROBA_MARGIN', '0.05', 'Minimum gap between p(BUY) and p(SELL) for a signal to count; ambiguous candles are skipped.'),
    {
      ...probability('CVN_SIGNAL_THRESHOLD_QUANTILE', '0.90', "Quantile of recent p(BUY) a candle must exceed in 'quantile' threshold mode."),
      minValue: 0.5,
      maxValue: 0.999,
    },
    {
      name: 'CVN_SIGNAL_CONFIRMATION_BARS',
      type: 'INT',
      minValue: 1,
      maxValue: 10,
      defaultValue: '1',
      unit: 'bars',
      description: 'Consecutive candles above threshold needed before a signal is acted on.',
    },
    {
      name: 'CVN_SIGNAL_SHORTS_ENABLED',
      type: 'BOOL',
      defaultValue: 'false',
      category: 'FILTER_FLAG',
      description: 'Acts on SELL signals by opening shorts. Off = SELL signals only close longs.',
    },
  ]);
}

function filters(): CatalogEntrySeed[] {
  const toggle = (name: string, defaultValue: 'true' | 'false', description: string): SectionEntry => ({
    name,
    type: 'BOOL',
    defaultValue,
    description,
  });
  const limit = (name: string, defaultValue: string, bounds: [number, number], unit: string, description: string): SectionEntry => ({
    name,
    type: 'FLOAT',
    minValue: bounds[0],
    maxValue: bounds[1],
    defaultValue,
    unit,
    category: 'THRESHOLD',
    description,
  });
  return section({ groupName: 'Filters', category: 'FILTER_FLAG', hotReloadable: true }, [
    toggle('CVN_FILTER_LDP_V2_ENABLED', 'true', 'Runs the LdP v2 filter chain on signals after inference.'),
    toggle('CVN_FILTER_REGIME_ENABLED', 'true', 'Drops signals when the market regime classifier says the model is out of its trained regime.'),
    limit('CVN_FILTER_REGIME_MIN_TREND_STRENGTH', '0.20', [0, 1], 'ratio', 'Minimum trend-strength score the regime filter requires.'),
    toggle('CVN_FILTER_VOLATILITY_ENABLED', 'true', 'Drops signals when ATR, as a percent of price, is outside the band below.'),
    limit('CVN_FILTER_VOLATILITY_MIN_ATR_PCT', '0.15', [0, 20], 'percent', 'Lower edge of the volatility band: below it moves are too small to pay the costs.'),
    {
      ...limit('CVN_FILTER_VOLATILITY_MAX_ATR_PCT', '4.0', [0.01, 50], 'percent', 'Upper edge of the volatility band: above it stops are hit by noise.'),
      validator: 'value > params.CVN_FILTER_VOLATILITY_MIN_ATR_PCT',
    },
    toggle('CVN_FILTER_TREND_ENABLED', 'false', 'Only trades in the direction of the prevailing trend when ADX is strong enough.'),
    limit('CVN_FILTER_TREND_MIN_ADX', '20.0', [0, 100], 'ADX', 'ADX level above which the trend filter considers a trend established.'),
    toggle('CVN_FILTER_LIQUIDITY_ENABLED', 'true', 'Drops signals on symbols whose traded volume is too low.'),
    limit('CVN_FILTER_MIN_VOLUME_USDC', '250000.0', [0, 1_000_000_000], 'USDC', 'Minimum rolling 24h quote volume for the liquidity filter.'),
    toggle('CVN_FILTER_SPREAD_ENABLED', 'true', 'Drops signals while the order-book spread is too wide.'),
    limit('CVN_FILTER_MAX_SPREAD_BPS', '8.0', [0, 500], 'bps', 'Widest bid/ask spread at which the spread filter still lets a signal through.'),
    toggle('CVN_FILTER_FUNDING_ENABLED', 'false', 'Drops signals that would pay an extreme funding rate.'),
    limit('CVN_FILTER_MAX_ABS_FUNDING_BPS', '10.0', [0, 300], 'bps', 'Largest absolute funding rate per interval the funding filter accepts.'),
    toggle('CVN_FILTER_CORRELATION_ENABLED', 'true', 'Refuses a new position that is too correlated with positions already open.'),
    limit('CVN_FILTER_MAX_CORRELATION', '0.80', [0, 1], 'ratio', 'Highest return correlation with an open position the correlation filter accepts.'),
  ]);
}

function cooldowns(): CatalogEntrySeed[] {
  const cooldown = (name: string, defaultValue: string, maxValue: number, unit: 'bars' | 'seconds', description: string, extra: Partial<SectionEntry> = {}): SectionEntry => ({
    name,
    type: 'INT',
    minValue: 0,
    maxValue,
    defaultValue,
    unit,
    description,
    ...extra,
  });
  return section({ groupName: 'Cooldowns', category: 'COOLDOWN', hotReloadable: true }, [
    cooldown('CVN_COOLDOWN_AFTER_TRADE_BARS', '3', 500, 'bars', 'Candles to wait after closing a trade before opening a new one on the same symbol.'),
    cooldown('CVN_COOLDOWN_AFTER_LOSS_BARS', '6', 1000, 'bars', 'Candles to wait after a losing trade; at least the normal after-trade cooldown.'),
    cooldown('CVN_COOLDOWN_AFTER_STOP_SECONDS', '1800', 86400, 'seconds', 'Wall-clock pause on a symbol after its stop-loss was hit.'),
    cooldown('CVN_COOLDOWN_SAME_SYMBOL_SECONDS', '900', 86400, 'seconds', 'Minimum time between two entries on the same symbol, whatever their outcome.'),
    {
      name: 'CVN_COOLDOWN_LOSS_STREAK_TRIGGER',
      type: 'INT',
      minValue: 1,
      maxValue: 20,
      defaultValue: '3',
      unit: 'trades',
      description: 'Consecutive losing trades that trigger the loss-streak pause.',
    },
    cooldown('CVN_COOLDOWN_LOSS_STREAK_SECONDS', '14400', 604800, 'seconds', 'Length of the pause on all new entries after a loss streak.'),
    cooldown('CVN_COOLDOWN_AFTER_RECONNECT_SECONDS', '60', 3600, 'seconds', 'No new entries for this long after the exchange connection was re-established.', {
      excludedFromFtf: true,
    }),
    cooldown('CVN_COOLDOWN_BARS', '3', 500, 'bars', 'Former single cooldown after any trade.', {
      required: false,
      deprecated: true,
      deprecationReason: 'Split into after-trade and after-loss cooldowns; its value carries over to CVN_COOLDOWN_AFTER_TRADE_BARS.',
      replacementName: 'CVN_COOLDOWN_AFTER_TRADE_BARS',
    }),
  ]);
}

function risk(): CatalogEntrySeed[] {
  return section({ groupName: 'Risk', category: 'RISK_LIMIT', hotReloadable: true }, [
    {
      name: 'CVN_RISK_MAX_POSITION_USDC',
      type: 'FLOAT',
      minValue: 10,
      maxValue: 1_000_000,
      defaultValue: '1000.0',
      unit: 'USDC',
      critical: true,
      description: 'Largest notional of a single position.',
    },
    {
      name: 'CVN_RISK_MAX_TOTAL_EXPOSURE_USDC',
      type: 'FLOAT',
      minValue: 10,
      maxValue: 10_000_000,
      defaultValue: '3000.0',
      unit: 'USDC',
      critical: true,
      description: 'Largest summed notional of all open positions.',
    },
    {
      name: 'CVN_RISK_MAX_OPEN_POSITIONS',
      type: 'INT',
      minValue: 1,
      maxValue: 50,
      defaultValue: '3',
      unit: 'positions',
      critical: true,
      description: 'Most positions open at the same time across all symbols.',
    },
    {
      name: 'CVN_RISK_MAX_DAILY_LOSS_PCT',
      type: 'FLOAT',
      minValue: 0.1,
      maxValue: 50,
      defaultValue: '3.0',
      unit: 'percent',
      critical: true,
      description: 'Realised plus unrealised loss, in percent of equity at UTC midnight, that stops new entries for the rest of the day.',
    },
    {
      name: 'CVN_RISK_MAX_DRAWDOWN_PCT',
      type: 'FLOAT',
      minValue: 1,
      maxValue: 100,
      defaultValue: '15.0',
      unit: 'percent',
      critical: true,
      description: 'Drawdown from the equity peak that halts all new entries until an operator re-arms the worker.',
    },
    {
      name: 'CVN_RISK_MAX_LEVERAGE',
      type: 'FLOAT',
      minValue: 1,
      maxValue: 20,
      defaultValue: '1.0',
      unit: 'x',
      critical: true,
      description: 'Highest leverage the worker may set on the exchange; 1 = unleveraged.',
    },
    {
      name: 'CVN_RISK_MIN_ORDER_USDC',
      type: 'FLOAT',
      minValue: 1,
      maxValue: 100_000,
      defaultValue: '10.0',
      unit: 'USDC',
      description: 'Smallest order the worker sends; smaller sizes are skipped instead of rejected by the exchange.',
    },
    {
      name: 'CVN_RISK_MAX_TRADES_PER_DAY',
      type: 'INT',
      minValue: 1,
      maxValue: 1000,
      defaultValue: '20',
      unit: 'trades',
      description: 'Entries allowed per UTC day across all symbols.',
    },
    {
      name: 'CVN_RISK_POSITION_SIZING',
      type: 'ENUM',
      allowedValues: ['fixed', 'kelly'],
      defaultValue: 'fixed',
      description: "'fixed' sizes every position at the maximum position size; 'kelly' scales it by CVN_RISK_KELLY_FRACTION of the Kelly bet.",
    },
    {
      name: 'CVN_RISK_KELLY_FRACTION',
      type: 'FLOAT',
      minValue: 0,
      maxValue: 1,
      defaultValue: '0.25',
      unit: 'ratio',
      description: 'Fraction of the full Kelly bet used in kelly sizing; full Kelly is far too aggressive for noisy probabilities.',
    },
  ]);
}

function costs(): CatalogEntrySeed[] {
  const bps = (name: string, defaultValue: string, bounds: [number, number], description: string): SectionEntry => ({
    name,
    type: 'FLOAT',
    minValue: bounds[0],
    maxValue: bounds[1],
    defaultValue,
    unit: 'bps',
    description,
  });
  return section({ groupName: 'Costs', category: 'COST', hotReloadable: false }, [
    bps('CVN_FEE_TAKER_BPS', '5.0', [0, 100], 'Exchange fee on orders that take liquidity, used by labeling, backtests and PnL.'),
    bps('CVN_FEE_MAKER_BPS', '2.0', [-10, 100], 'Exchange fee on orders that add liquidity; negative for a rebate. Not above the taker fee.'),
    {
      name: 'CVN_SLIPPAGE_MODEL',
      type: 'ENUM',
      allowedValues: ['fixed', 'spread_half', 'volume_impact'],
      defaultValue: 'fixed',
      description: "How backtests charge slippage: 'fixed' CVN_SLIPPAGE_BPS, 'spread_half' half the quoted spread, 'volume_impact' grows with order size over volume.",
    },
    bps('CVN_SLIPPAGE_BPS', '3.0', [0, 200], "Slippage charged per fill in 'fixed' slippage mode."),
    {
      ...bps('CVN_FUNDING_RATE_BPS', '1.0', [-100, 100], 'Funding rate assumed per funding interval when historical rates are unavailable; positive = longs pay.'),
      unit: 'bps/interval',
    },
    {
      name: 'CVN_FUNDING_INTERVAL_HOURS',
      type: 'INT',
      minValue: 1,
      maxValue: 24,
      defaultValue: '8',
      unit: 'hours',
      description: 'Time between two funding payments on the venue.',
    },
    {
      name: 'CVN_COST_INCLUDE_FUNDING',
      type: 'BOOL',
      defaultValue: 'true',
      description: 'Charges funding on positions held across a funding timestamp in backtests and PnL.',
    },
    bps('CVN_COST_SAFETY_MARGIN_BPS', '2.0', [0, 100], 'Extra cost added to every round trip so a strategy is not tuned to the last basis point.'),
  ]);
}

function model(): CatalogEntrySeed[] {
  return section({ groupName: 'Model', category: 'MODEL', hotReloadable: false }, [
    {
      name: 'CVN_MODEL_TYPE',
      type: 'ENUM',
      allowedValues: ['xgboost', 'lightgbm', 'catboost'],
      defaultValue: 'xgboost',
      critical: true,
      description: 'Gradient-boosting library of the primary model. Switching it loads a different model family on the next restart.',
    },
    {
      name: 'CVN_MODEL_STRATEGY',
      type: 'ENUM',
      allowedValues: ['single', 'metalabel', 'twostage'],
      defaultValue: 'single',
      description: "'single' primary model; 'metalabel' adds a meta-model that accepts or rejects the primary's signals; 'twostage' chains a direction model and an entry-quality model.",
    },
    {
      name: 'CVN_MODEL_LABEL_SCHEME',
      type: 'ENUM',
      allowedValues: ['binary', 'ternary'],
      defaultValue: 'ternary',
      description: "'binary' labels BUY vs not-BUY; 'ternary' labels BUY / SELL / HOLD from the PTE barriers.",
    },
    {
      name: 'CVN_MODEL_CALIBRATION',
      type: 'ENUM',
      allowedValues: ['none', 'isotonic', 'sigmoid'],
      defaultValue: 'isotonic',
      description: 'Probability calibration fitted on the validation fold so that thresholds mean the same across models.',
    },
    {
      name: 'CVN_MODEL_CLASS_WEIGHTING',
      type: 'ENUM',
      allowedValues: ['none', 'balanced', 'sqrt_balanced'],
      defaultValue: 'balanced',
      description: 'Sample weighting against label imbalance (BUY events are rare).',
    },
    {
      name: 'CVN_MODEL_RANDOM_SEED',
      type: 'INT',
      minValue: 0,
      maxValue: 2_147_483_647,
      defaultValue: '42',
      description: 'Seed of model training and HPO sampling; part of what makes a run reproducible.',
    },
    {
      name: 'CVN_MODEL_N_FOLDS',
      type: 'INT',
      minValue: 2,
      maxValue: 20,
      defaultValue: '5',
      unit: 'folds',
      description: 'Walk-forward folds per training run.',
    },
    {
      name: 'CVN_MODEL_EMBARGO_BARS',
      type: 'INT',
      minValue: 0,
      maxValue: 1000,
      defaultValue: '24',
      unit: 'bars',
      description: 'Candles dropped between train and test folds so that labels overlapping the boundary do not leak.',
    },
    {
      name: 'CVN_MODEL_TRAIN_WINDOW_DAYS',
      type: 'INT',
      minValue: 14,
      maxValue: 1825,
      defaultValue: '180',
      unit: 'days',
      description: 'Length of each walk-forward training window.',
    },
    {
      name: 'CVN_MODEL_TEST_WINDOW_DAYS',
      type: 'INT',
      minValue: 1,
      maxValue: 365,
      defaultValue: '30',
      unit: 'days',
      description: 'Length of each walk-forward test window.',
    },
  ]);
}

function hpo(): CatalogEntrySeed[] {
  return section({ groupName: 'HPO', category: 'HPO', hotReloadable: false }, [
    {
      name: 'CVN_HPO_ENABLED',
      type: 'BOOL',
      defaultValue: 'true',
      description: 'Runs the hyper-parameter search before training. Off = train once with the CVN_HPO_<MODEL>_* defaults.',
    },
    {
      name: 'CVN_HPO_OBJECTIVE',
      type: 'ENUM',
      allowedValues: ['f1_buy', 'pr_auc', 'logloss', 'sharpe', 'sortino'],
      defaultValue: 'f1_buy',
      deprecatedValues: [
        {
          value: 'accuracy',
          reason: 'Rewards predicting the majority HOLD class on imbalanced labels; replaced by f1_buy.',
        },
      ],
      description: 'Metric the search maximises (logloss is minimised) on the validation folds.',
    },
    {
      name: 'CVN_HPO_N_TRIALS',
      type: 'INT',
      minValue: 1,
      maxValue: 2000,
      defaultValue: '50',
      unit: 'trials',
      description: 'Trials per search, per model and fold.',
    },
    {
      name: 'CVN_HPO_N_STARTUP_TRIALS',
      type: 'INT',
      minValue: 0,
      maxValue: 500,
      defaultValue: '10',
      unit: 'trials',
      description: 'Random trials before the sampler starts modelling the search space; cannot exceed the number of trials.',
      validator: 'value <= params.CVN_HPO_N_TRIALS',
    },
    {
      name: 'CVN_HPO_SAMPLER',
      type: 'ENUM',
      allowedValues: ['tpe', 'random', 'cmaes', 'qmc'],
      defaultValue: 'tpe',
      description: 'Search algorithm proposing the next trial.',
    },
    {
      name: 'CVN_HPO_PRUNER',
      type: 'ENUM',
      allowedValues: ['none', 'median', 'hyperband'],
      defaultValue: 'median',
      description: 'Stops unpromising trials early to save compute.',
    },
    {
      name: 'CVN_HPO_TIMEOUT_SECONDS',
      type: 'INT',
      minValue: 60,
      maxValue: 86400,
      defaultValue: '3600',
      unit: 'seconds',
      description: 'Wall-clock budget of one search; the best trial so far is kept when it runs out.',
    },
    {
      name: 'CVN_HPO_CV_FOLDS',
      type: 'INT',
      minValue: 2,
      maxValue: 10,
      defaultValue: '3',
      unit: 'folds',
      description: 'Inner cross-validation folds each trial is scored on.',
    },
    {
      name: 'CVN_HPO_EARLY_STOPPING_METRIC',
      type: 'ENUM',
      allowedValues: ['logloss', 'auc', 'aucpr'],
      defaultValue: 'logloss',
      description: 'Validation metric watched by early stopping (rounds are set per model and timeframe).',
    },
  ]);
}

function execution(): CatalogEntrySeed[] {
  const liveOnly = { excludedFromFtf: true } as const;
  return section({ groupName: 'Execution', category: 'EXECUTION', hotReloadable: false }, [
    {
      name: 'CVN_EXEC_LIVE_TRADING_ENABLED',
      type: 'BOOL',
      defaultValue: 'false',
      critical: true,
      ...liveOnly,
      description: 'Sends real orders with real capital. Off = the worker trades on paper. Applied on restart only.',
    },
    {
      name: 'CVN_EXEC_HALT_NEW_ENTRIES',
      type: 'BOOL',
      defaultValue: 'false',
      category: 'FILTER_FLAG',
      hotReloadable: true,
      critical: true,
      ...liveOnly,
      description: 'Trading kill switch: no new positions are opened; open positions keep their exits.',
    },
    {
      name: 'CVN_EXEC_EXCHANGE',
      type: 'ENUM',
      allowedValues: ['binance', 'bybit', 'okx'],
      defaultValue: 'binance',
      description: 'Venue the execution adapter connects to; also selects the fee schedule and symbol rules.',
    },
    {
      name: 'CVN_EXEC_SYMBOLS',
      type: 'STRING',
      defaultValue: 'BTCUSDC,ETHUSDC,SOLUSDC,AAVEUSDC,UNIUSDC',
      ...liveOnly,
      // FTF runs take their crypto list as a run-level parameter (ADR-65); this is the paper/live universe.
      validator: "value.matches('^[A-Z0-9]+USDC(,[A-Z0-9]+USDC)*$')",
      description: 'Comma-separated USDC symbols the paper/live worker trades.',
    },
    {
      name: 'CVN_EXEC_ORDER_TYPE',
      type: 'ENUM',
      allowedValues: ['market', 'limit', 'limit_post_only'],
      defaultValue: 'limit',
      description: "Entry order type. 'limit_post_only' guarantees the maker fee but may not fill.",
    },
    {
      name: 'CVN_EXEC_LIMIT_OFFSET_BPS',
      type: 'FLOAT',
      minValue: 0,
      maxValue: 100,
      defaultValue: '1.0',
      unit: 'bps',
      description: 'Distance from the touch at which limit entries are placed.',
    },
    {
      name: 'CVN_EXEC_MAX_SLIPPAGE_BPS',
      type: 'FLOAT',
      minValue: 0,
      maxValue: 500,
      defaultValue: '15.0',
      unit: 'bps',
      description: 'An entry whose expected fill is further than this from the signal price is cancelled.',
    },
    {
      name: 'CVN_EXEC_ORDER_TIMEOUT_SECONDS',
      type: 'INT',
      minValue: 1,
      maxValue: 600,
      defaultValue: '30',
      unit: 'seconds',
      ...liveOnly,
      description: 'An unfilled entry order is cancelled after this long.',
    },
    {
      name: 'CVN_EXEC_MAX_RETRIES',
      type: 'INT',
      minValue: 0,
      maxValue: 10,
      defaultValue: '3',
      unit: 'retries',
      ...liveOnly,
      description: 'Retries of an order rejected for a transient reason (rate limit, timeout) before giving up.',
    },
    {
      name: 'CVN_EXEC_HEARTBEAT_SECONDS',
      type: 'INT',
      minValue: 5,
      maxValue: 600,
      defaultValue: '30',
      unit: 'seconds',
      ...liveOnly,
      description: 'Interval of the worker heartbeat; also the latest a queued risk-limit change waits when a position stays open.',
    },
    {
      name: 'CVN_EXEC_RECONCILE_INTERVAL_SECONDS',
      type: 'INT',
      minValue: 10,
      maxValue: 3600,
      defaultValue: '60',
      unit: 'seconds',
      ...liveOnly,
      description: 'How often positions and balances are reconciled against the exchange.',
    },
    {
      name: 'CVN_EXEC_REDUCE_ONLY_EXITS',
      type: 'BOOL',
      defaultValue: 'true',
      description: 'Sends exits as reduce-only so a late fill can never flip a position.',
    },
  ]);
}

/** The base pipeline parameters, in display order. */
/**
 * The parameters the code in this repository reads: the reference paper
 * worker's `consumes` (runtime-agent/paper-worker). `npm run catalog:drift`
 * scans that code in CI, so these are checked against it; every other base
 * entry is read by the Python trading pipeline, outside the scanned sources,
 * and says so (consumedOutside), as the drift check requires. Written out
 * here, not imported from the worker, so that the two can disagree and the
 * check can catch it.
 */
export const CONSUMED_IN_REPOSITORY: ReadonlySet<string> = new Set([
  'CVN_EMA_FAST_PERIOD', 'CVN_EMA_SLOW_PERIOD', 'CVN_RSI_PERIOD', 'CVN_ATR_PERIOD', 'CVN_CUSUM_THRESHOLD',
  'CVN_SIGNAL_THRESHOLD_BUY', 'CVN_SIGNAL_THRESHOLD_EXIT', 'CVN_COOLDOWN_AFTER_TRADE_BARS', 'CVN_PTE_TP_MULT', 'CVN_PTE_SL_MULT',
  'CVN_PTE_HORIZON_BARS', 'CVN_RISK_MAX_POSITION_USDC', 'CVN_FEE_TAKER_BPS', 'CVN_ENRICHMENT_PAUSE', 'CVN_EXEC_HALT_NEW_ENTRIES',
]);

/** The consumer of the base entries the scanned code does not read. */
export const TRADING_PIPELINE_CONSUMER = 'python-trading-pipeline';

export function basePipelineCatalog(): CatalogEntrySeed[] {
  return [
    ...enrichment(),
    ...data(),
    ...indicators(),
    ...cusum(),
    ...pte(),
    ...signals(),
    ...filters(),
    ...cooldowns(),
    ...risk(),
    ...costs(),
    ...model(),
    ...hpo(),
    ...execution(),
  ].map((entry) => (CONSUMED_IN_REPOSITORY.has(entry.name) ? entry : { ...entry, consumedOutside: TRADING_PIPELINE_CONSUMER }));
}
