-- Issue 12: the drift check between the catalog and the code that consumes it
-- (`npm run catalog:drift`). An entry read by code outside the scanned sources
-- says so, naming that code, instead of being silently ignored.
ALTER TABLE "variable_catalog" ADD COLUMN "consumed_outside" TEXT;
ALTER TABLE "variable_catalog" ADD CONSTRAINT "variable_catalog_consumed_outside_check"
  CHECK ("consumed_outside" IS NULL OR (length("consumed_outside") <= 64 AND "consumed_outside" ~ '^[a-z0-9]+(-[a-z0-9]+)*$'));

-- A database seeded before this migration gets the seed's declarations, each
-- as a catalog revision of its own, so the history keeps telling the catalog's
-- story. A fresh database has no rows yet: the seed writes them.
WITH declared (name, consumer) AS (
  -- The 455 training keys of S17, read by the Python training harness.
  SELECT name, 'python-training-harness' FROM variable_catalog
  WHERE name ~ '^CVN_HPO_(XGBOOST|LIGHTGBM|CATBOOST|METALABEL|TWOSTAGE)_'
  UNION ALL
  -- The base pipeline's entries that the reference paper worker does not read (prisma/seed/base-pipeline-catalog.ts).
  SELECT name, 'python-trading-pipeline' FROM unnest(ARRAY[
  'CVN_ENRICHMENT_STATEFUL_ENABLED', 'CVN_ENRICHMENT_SHADOW_MODE', 'CVN_ENRICHMENT_SHADOW_TOLERANCE',
  'CVN_ENRICHMENT_SHADOW_BUDGET', 'CVN_ENRICHMENT_WARMUP_BARS', 'CVN_ENRICHMENT_BOOTSTRAP_AUTO_FETCH',
  'CVN_ENRICHMENT_FEATURE_SET_VERSION', 'CVN_ENRICHMENT_REGISTRY_EVICTION_SECONDS', 'CVN_TIMEFRAME',
  'CVN_DATA_HISTORY_DAYS', 'CVN_DATA_MAX_GAP_BARS', 'CVN_DATA_MTF_RESAMPLES', 'CVN_RSI_LONG_PERIOD',
  'CVN_ADX_PERIOD', 'CVN_MACD_FAST', 'CVN_MACD_SLOW', 'CVN_MACD_SIGNAL', 'CVN_BOLLINGER_PERIOD',
  'CVN_BOLLINGER_STD', 'CVN_ZSCORE_WINDOW', 'CVN_VOLATILITY_WINDOW', 'CVN_SAVGOL_WINDOW', 'CVN_SAVGOL_POLYORDER',
  'CVN_RSI_WINDOW', 'CVN_CUSUM_ENABLED', 'CVN_CUSUM_DRIFT', 'CVN_CUSUM_SIGMA_WINDOW', 'CVN_PTE_ENVELOPE',
  'CVN_PTE_TRAILING_STOP_ENABLED', 'CVN_ATR_MULT', 'CVN_SIGNAL_THRESHOLD_MODE', 'CVN_SIGNAL_THRESHOLD_SELL',
  'CVN_SIGNAL_MIN_PROBA_MARGIN', 'CVN_SIGNAL_THRESHOLD_QUANTILE', 'CVN_SIGNAL_CONFIRMATION_BARS',
  'CVN_SIGNAL_SHORTS_ENABLED', 'CVN_FILTER_LDP_V2_ENABLED', 'CVN_FILTER_REGIME_ENABLED',
  'CVN_FILTER_REGIME_MIN_TREND_STRENGTH', 'CVN_FILTER_VOLATILITY_ENABLED', 'CVN_FILTER_VOLATILITY_MIN_ATR_PCT',
  'CVN_FILTER_VOLATILITY_MAX_ATR_PCT', 'CVN_FILTER_TREND_ENABLED', 'CVN_FILTER_TREND_MIN_ADX',
  'CVN_FILTER_LIQUIDITY_ENABLED', 'CVN_FILTER_MIN_VOLUME_USDC', 'CVN_FILTER_SPREAD_ENABLED',
  'CVN_FILTER_MAX_SPREAD_BPS', 'CVN_FILTER_FUNDING_ENABLED', 'CVN_FILTER_MAX_ABS_FUNDING_BPS',
  'CVN_FILTER_CORRELATION_ENABLED', 'CVN_FILTER_MAX_CORRELATION', 'CVN_COOLDOWN_AFTER_LOSS_BARS',
  'CVN_COOLDOWN_AFTER_STOP_SECONDS', 'CVN_COOLDOWN_SAME_SYMBOL_SECONDS', 'CVN_COOLDOWN_LOSS_STREAK_TRIGGER',
  'CVN_COOLDOWN_LOSS_STREAK_SECONDS', 'CVN_COOLDOWN_AFTER_RECONNECT_SECONDS', 'CVN_COOLDOWN_BARS',
  'CVN_RISK_MAX_TOTAL_EXPOSURE_USDC', 'CVN_RISK_MAX_OPEN_POSITIONS', 'CVN_RISK_MAX_DAILY_LOSS_PCT',
  'CVN_RISK_MAX_DRAWDOWN_PCT', 'CVN_RISK_MAX_LEVERAGE', 'CVN_RISK_MIN_ORDER_USDC', 'CVN_RISK_MAX_TRADES_PER_DAY',
  'CVN_RISK_POSITION_SIZING', 'CVN_RISK_KELLY_FRACTION', 'CVN_FEE_MAKER_BPS', 'CVN_SLIPPAGE_MODEL',
  'CVN_SLIPPAGE_BPS', 'CVN_FUNDING_RATE_BPS', 'CVN_FUNDING_INTERVAL_HOURS', 'CVN_COST_INCLUDE_FUNDING',
  'CVN_COST_SAFETY_MARGIN_BPS', 'CVN_MODEL_TYPE', 'CVN_MODEL_STRATEGY', 'CVN_MODEL_LABEL_SCHEME',
  'CVN_MODEL_CALIBRATION', 'CVN_MODEL_CLASS_WEIGHTING', 'CVN_MODEL_RANDOM_SEED', 'CVN_MODEL_N_FOLDS',
  'CVN_MODEL_EMBARGO_BARS', 'CVN_MODEL_TRAIN_WINDOW_DAYS', 'CVN_MODEL_TEST_WINDOW_DAYS', 'CVN_HPO_ENABLED',
  'CVN_HPO_OBJECTIVE', 'CVN_HPO_N_TRIALS', 'CVN_HPO_N_STARTUP_TRIALS', 'CVN_HPO_SAMPLER', 'CVN_HPO_PRUNER',
  'CVN_HPO_TIMEOUT_SECONDS', 'CVN_HPO_CV_FOLDS', 'CVN_HPO_EARLY_STOPPING_METRIC', 'CVN_EXEC_LIVE_TRADING_ENABLED',
  'CVN_EXEC_EXCHANGE', 'CVN_EXEC_SYMBOLS', 'CVN_EXEC_ORDER_TYPE', 'CVN_EXEC_LIMIT_OFFSET_BPS',
  'CVN_EXEC_MAX_SLIPPAGE_BPS', 'CVN_EXEC_ORDER_TIMEOUT_SECONDS', 'CVN_EXEC_MAX_RETRIES',
  'CVN_EXEC_HEARTBEAT_SECONDS', 'CVN_EXEC_RECONCILE_INTERVAL_SECONDS', 'CVN_EXEC_REDUCE_ONLY_EXITS'
  ]) AS name
), updated AS (
  UPDATE variable_catalog c SET consumed_outside = d.consumer, revision = c.revision + 1, updated_at = now()
  FROM declared d
  WHERE c.name = d.name AND c.consumed_outside IS NULL
  RETURNING c.name, c.revision, c.consumed_outside
)
INSERT INTO variable_catalog_history (parameter_name, revision, action, snapshot, changed_by, reason)
SELECT u.name, u.revision, 'updated',
       h.snapshot || jsonb_build_object('consumedOutside', u.consumed_outside),
       'migration', 'Declared consumed outside the scanned code (' || u.consumed_outside || '), for the drift check'
FROM updated u
JOIN variable_catalog_history h ON h.parameter_name = u.name AND h.revision = u.revision - 1;
