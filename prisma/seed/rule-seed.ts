// Cross-parameter coherence rules seeded at first start. Each expression is CEL
// over `params`, a map from parameter name to its typed value (INT -> CEL int,
// FLOAT -> double, BOOL -> bool, ENUM/STRING -> string); it must be true for a
// configuration to be saved.
//
// CEL typing notes that shaped these expressions (checked against @bufbuild/cel 0.6.1):
// - comparisons (<, <=, >, >=, ==, !=) between an int and a double are legal
//   and compare numerically, so `params.SOME_INT < params.SOME_DOUBLE` is fine;
// - arithmetic is not: int * double has no overload, hence double(...) below;
// - a missing map key is an evaluation error, not false, so a rule that looks
//   a value up in a table fails closed when the table lacks the value.
//
// The HPO range triples are not given one rule each (330 keys would drown the
// rules that matter); the range invariants are pinned by the seed test, and
// only the ranges whose misconfiguration has bitten the team get a rule here.
import { PTE_CUSTOM_ENVELOPE, PTE_ENVELOPES } from './base-pipeline-catalog.ts';
import { TRAINING_TIMEFRAMES, trainingKey } from './training-hyperparameter-catalog.ts';

export interface RuleSeed {
  name: string;
  expression: string;
  message: string;
}

/** A JS number as a CEL double literal (1 -> 1.0), so the table below compares like with like. */
function celDouble(value: number): string {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

// The envelope name and its numeric companions must agree: incident #673 was a
// run whose effective envelope differed from what the operator had set.
// Adding an envelope to CVN_PTE_ENVELOPE's allowed values means adding it here
// too; until then the lookup errors and the rule refuses the configuration.
function pteEnvelopeMatchesMultiples(): RuleSeed {
  const table = Object.entries(PTE_ENVELOPES)
    .map(([envelope, e]) => `'${envelope}': [${celDouble(e.slMult)}, ${celDouble(e.tpMult)}, ${e.horizonBars}]`)
    .join(', ');
  return {
    name: 'pte-envelope-matches-multiples',
    expression:
      `params.CVN_PTE_ENVELOPE == '${PTE_CUSTOM_ENVELOPE}' || ` +
      `{${table}}[params.CVN_PTE_ENVELOPE] == [params.CVN_PTE_SL_MULT, params.CVN_PTE_TP_MULT, params.CVN_PTE_HORIZON_BARS]`,
    message:
      `CVN_PTE_SL_MULT, CVN_PTE_TP_MULT and CVN_PTE_HORIZON_BARS must equal the values named by CVN_PTE_ENVELOPE (e.g. ATR0.5_1.5_H4 = 0.5 / 1.5 / 4), or set the envelope to ${PTE_CUSTOM_ENVELOPE}.`,
  };
}

// A search range with min > max makes the sampler fail at the first trial of a
// multi-hour run; a log scale from 0 makes it fail the same way.
function xgboostLearningRateRange(): RuleSeed {
  const perTimeframe = TRAINING_TIMEFRAMES.map((timeframe) => {
    const key = trainingKey('XGBOOST', 'LEARNING_RATE', timeframe);
    return `(params.${key}_RANGE_MIN <= params.${key}_RANGE_MAX && (params.${key}_RANGE_SCALE != 'log' || params.${key}_RANGE_MIN > 0.0))`;
  });
  return {
    name: 'hpo-xgboost-learning-rate-range-valid',
    expression: perTimeframe.join(' && '),
    message: 'For every timeframe, the XGBoost learning-rate search range minimum must not exceed its maximum, and must be above 0 on a log scale.',
  };
}

// LightGBM grows leaf-wise: num_leaves above 2^max_depth cannot be reached and
// is silently ignored, so the search explores a dimension that does nothing.
// max_depth <= 0 means unlimited; from depth 12 on, 2^depth exceeds the
// largest legal num_leaves (4096), so only depths 1..11 need the lookup.
function leavesFitDepth(): RuleSeed {
  const powersOfTwo = Array.from({ length: 12 }, (_, depth) => 2 ** depth).join(', ');
  const perModel = ['LIGHTGBM', 'METALABEL'].map((model) => {
    const depth = `params.${trainingKey(model, 'MAX_DEPTH')}`;
    const leaves = `params.${trainingKey(model, 'NUM_LEAVES')}`;
    return `(${depth} <= 0 || ${depth} >= 12 || ${leaves} <= [${powersOfTwo}][${depth}])`;
  });
  return {
    name: 'hpo-lightgbm-leaves-fit-depth',
    expression: perModel.join(' && '),
    message: 'LightGBM and MetaLabel NUM_LEAVES must not exceed 2^MAX_DEPTH (LightGBM ignores the extra leaves silently).',
  };
}

export function seedRules(): RuleSeed[] {
  return [
    {
      name: 'pte-take-profit-above-stop-loss',
      expression: 'params.CVN_PTE_TP_MULT > params.CVN_PTE_SL_MULT',
      message: 'The take-profit multiple (CVN_PTE_TP_MULT) must be above the stop-loss multiple (CVN_PTE_SL_MULT).',
    },
    pteEnvelopeMatchesMultiples(),
    {
      // Hysteresis: with exit >= entry a position could be opened and closed on the same candle.
      name: 'signal-exit-below-entry',
      expression: 'params.CVN_SIGNAL_THRESHOLD_EXIT < params.CVN_SIGNAL_THRESHOLD_BUY',
      message: 'CVN_SIGNAL_THRESHOLD_EXIT must be below CVN_SIGNAL_THRESHOLD_BUY, otherwise positions flap open and closed.',
    },
    {
      name: 'fee-maker-not-above-taker',
      expression: 'params.CVN_FEE_MAKER_BPS <= params.CVN_FEE_TAKER_BPS',
      message: 'The maker fee (CVN_FEE_MAKER_BPS) cannot exceed the taker fee (CVN_FEE_TAKER_BPS); check the venue fee schedule.',
    },
    {
      // The open-position count is an INT: convert it before multiplying a double (int * double has no CEL overload).
      name: 'risk-exposure-coherent',
      expression:
        'params.CVN_RISK_MIN_ORDER_USDC <= params.CVN_RISK_MAX_POSITION_USDC && ' +
        'params.CVN_RISK_MAX_POSITION_USDC <= params.CVN_RISK_MAX_TOTAL_EXPOSURE_USDC && ' +
        'params.CVN_RISK_MAX_TOTAL_EXPOSURE_USDC <= params.CVN_RISK_MAX_POSITION_USDC * double(params.CVN_RISK_MAX_OPEN_POSITIONS)',
      message:
        'Risk limits must nest: minimum order <= maximum position <= total exposure <= maximum position x maximum open positions (a looser total cap would never bind).',
    },
    {
      name: 'cooldown-after-loss-not-shorter',
      expression: 'params.CVN_COOLDOWN_AFTER_LOSS_BARS >= params.CVN_COOLDOWN_AFTER_TRADE_BARS',
      message: 'The cooldown after a losing trade (CVN_COOLDOWN_AFTER_LOSS_BARS) cannot be shorter than the cooldown after any trade.',
    },
    {
      // Shadow comparison needs the stateful engine running next to the legacy path.
      name: 'enrichment-shadow-needs-stateful-engine',
      expression: "!params.CVN_ENRICHMENT_SHADOW_MODE || params.CVN_ENRICHMENT_STATEFUL_ENABLED != '0'",
      message: "CVN_ENRICHMENT_SHADOW_MODE has nothing to compare while CVN_ENRICHMENT_STATEFUL_ENABLED is '0'; set it to 'shadow' or '1' first.",
    },
    {
      // EMA / Wilder state never forgets its seed; ~10 periods of history make the seed's weight negligible,
      // otherwise the first live candles drift from the backtest (stateful enrichment design, section 9.3).
      name: 'enrichment-warmup-covers-indicators',
      expression:
        'params.CVN_ENRICHMENT_WARMUP_BARS >= 10 * params.CVN_EMA_SLOW_PERIOD && ' +
        'params.CVN_ENRICHMENT_WARMUP_BARS >= 10 * params.CVN_MACD_SLOW && ' +
        'params.CVN_ENRICHMENT_WARMUP_BARS >= 10 * params.CVN_ADX_PERIOD && ' +
        'params.CVN_ENRICHMENT_WARMUP_BARS >= 10 * params.CVN_RSI_LONG_PERIOD',
      message: 'CVN_ENRICHMENT_WARMUP_BARS must be at least 10x the longest recursive indicator period (slow EMA, MACD slow, ADX, long RSI).',
    },
    xgboostLearningRateRange(),
    leavesFitDepth(),
  ];
}
