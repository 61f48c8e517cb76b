// The 455 training hyper-parameter keys of story S17 (ADR-90), generated from
// the tables below: 110 HPO-tunable defaults, one RANGE_MIN / RANGE_MAX /
// RANGE_SCALE triple per tunable default (330 keys), and 15
// EARLY_STOPPING_ROUNDS defaults. No hyper-parameter value may live in the
// pipeline's source any more, so every one of them is a catalog entry.
//
// Naming: CVN_HPO_<MODEL>[_<TIMEFRAME>]_<HYPERPARAMETER>[_RANGE_MIN|_RANGE_MAX|_RANGE_SCALE]
// where <MODEL> is XGBOOST, LIGHTGBM, CATBOOST, METALABEL, TWOSTAGE_STAGE1 or
// TWOSTAGE_STAGE2. Hyper-parameters whose good value depends on how many rows
// a model is trained on (learning rate, tree count, leaf size, early stopping)
// carry the timeframe, because 5m data has 12x the rows of 1h data over the
// same history; structural ones (depth, sampling ratios, regularisation) do not.
import type { CatalogEntrySeed } from './catalog-entry-seed.ts';

export const TRAINING_TIMEFRAMES = ['5M', '15M', '1H'] as const;
export type TrainingTimeframe = (typeof TRAINING_TIMEFRAMES)[number];

export type RangeScale = 'linear' | 'log';

/** Who reads the 455 keys: the Python training harness (commun.finetune.hyperparams.resolve), outside the scanned code. */
export const TRAINING_HARNESS_CONSUMER = 'python-training-harness';
export const RANGE_SCALES: readonly RangeScale[] = ['linear', 'log'];

type PerTimeframe = Readonly<Record<TrainingTimeframe, number>>;

interface HyperParameter {
  /** Suffix of the key, e.g. LEARNING_RATE. Its wording comes from HYPERPARAMETER_DOCS. */
  key: keyof typeof HYPERPARAMETER_DOCS;
  type: 'INT' | 'FLOAT';
  /** What the library accepts (inclusive); the search range must stay inside. */
  bounds: readonly [number, number];
  /** One default, or one per timeframe (then one key per timeframe). */
  defaultValue: number | PerTimeframe;
  /** Default search range; contains every default. */
  range: readonly [number, number];
  /** 'log' for values spanning orders of magnitude; needs range[0] > 0. */
  scale: RangeScale;
}

interface ModelTable {
  /** Key segment after CVN_HPO_, e.g. XGBOOST or TWOSTAGE_STAGE1. */
  model: string;
  /** How descriptions name the model. */
  label: string;
  groupName: string;
  hyperParameters: HyperParameter[];
}

interface EarlyStopping {
  model: string;
  label: string;
  groupName: string;
  rounds: PerTimeframe;
}

const tf = (m5: number, m15: number, h1: number): PerTimeframe => ({ '5M': m5, '15M': m15, '1H': h1 });

function hp(
  key: HyperParameter['key'],
  type: HyperParameter['type'],
  bounds: readonly [number, number],
  defaultValue: number | PerTimeframe,
  range: readonly [number, number],
  scale: RangeScale,
): HyperParameter {
  return { key, type, bounds, defaultValue, range, scale };
}

/** Operator-facing wording per hyper-parameter, shared by every model that has it. */
const HYPERPARAMETER_DOCS = {
  LEARNING_RATE: { label: 'learning rate', what: 'Shrinkage applied to each new tree; lower values need more trees but generalise better.' },
  N_ESTIMATORS: { label: 'tree count', unit: 'trees', what: 'Maximum number of boosting rounds; early stopping usually ends training sooner.' },
  ITERATIONS: { label: 'iteration count', unit: 'trees', what: 'Maximum number of boosting iterations; early stopping usually ends training sooner.' },
  MIN_CHILD_WEIGHT: { label: 'minimum child weight', unit: 'hessian', what: 'Minimum summed instance weight (hessian) in a leaf; higher values make trees more conservative.' },
  MIN_CHILD_SAMPLES: { label: 'minimum leaf size', unit: 'rows', what: 'Minimum number of rows in a leaf; keeps leaves from being fitted to a handful of candles.' },
  MIN_DATA_IN_LEAF: { label: 'minimum leaf size', unit: 'rows', what: 'Minimum number of rows in a leaf (honoured by the Depthwise and Lossguide grow policies).' },
  MAX_DEPTH: { label: 'maximum depth', unit: 'levels', what: 'Maximum depth of each tree (-1 or 0 = unlimited where the library allows it); deeper trees overfit faster.' },
  DEPTH: { label: 'tree depth', unit: 'levels', what: 'Depth of each symmetric (oblivious) tree.' },
  NUM_LEAVES: { label: 'leaf count', unit: 'leaves', what: 'Maximum leaves per tree, the main complexity control of leaf-wise growth; keep it below 2^max_depth.' },
  SUBSAMPLE: { label: 'row subsample ratio', unit: 'ratio', what: 'Fraction of rows sampled for each tree.' },
  SUBSAMPLE_FREQ: { label: 'bagging frequency', unit: 'iterations', what: 'Row subsampling is redone every k iterations; 0 disables it.' },
  COLSAMPLE_BYTREE: { label: 'feature ratio per tree', unit: 'ratio', what: 'Fraction of features sampled for each tree.' },
  COLSAMPLE_BYLEVEL: { label: 'feature ratio per level', unit: 'ratio', what: 'Fraction of the tree features sampled again at each depth level.' },
  COLSAMPLE_BYNODE: { label: 'feature ratio per split', unit: 'ratio', what: 'Fraction of features sampled again at each split.' },
  RSM: { label: 'feature ratio per split (RSM)', unit: 'ratio', what: 'Fraction of features considered when selecting each split (random subspace method).' },
  GAMMA: { label: 'minimum split loss', what: 'Minimum loss reduction required to split a leaf further.' },
  MIN_SPLIT_GAIN: { label: 'minimum split gain', what: 'Minimum gain required to split a leaf further.' },
  REG_ALPHA: { label: 'L1 regularisation', what: 'L1 penalty on leaf weights; pushes weak leaves to zero.' },
  REG_LAMBDA: { label: 'L2 regularisation', what: 'L2 penalty on leaf weights.' },
  L2_LEAF_REG: { label: 'L2 leaf regularisation', what: 'L2 penalty on leaf values.' },
  MAX_DELTA_STEP: { label: 'maximum delta step', what: 'Caps each leaf weight update (0 = no cap); steadies logistic loss on very imbalanced labels.' },
  SCALE_POS_WEIGHT: { label: 'positive-class weight', unit: 'ratio', what: 'Weight of the positive (BUY) class relative to the others, against label imbalance.' },
  MAX_BIN: { label: 'histogram bin count', unit: 'bins', what: 'Histogram bins used to bucket continuous features.' },
  BORDER_COUNT: { label: 'border count', unit: 'bins', what: 'Split borders (quantization bins) per numerical feature.' },
  PATH_SMOOTH: { label: 'path smoothing', what: 'Smooths leaf values towards their parent; damps overfitting on small leaves.' },
  RANDOM_STRENGTH: { label: 'random strength', what: 'Randomness added to split scores; helps avoid overfitting.' },
  BAGGING_TEMPERATURE: { label: 'bagging temperature', what: 'Intensity of the Bayesian bootstrap: 0 = equal row weights, higher = more aggressive resampling.' },
  LEAF_ESTIMATION_ITERATIONS: { label: 'leaf estimation steps', unit: 'iterations', what: 'Gradient steps used to compute each leaf value.' },
  MODEL_SIZE_REG: { label: 'model size regularisation', what: 'Penalises model size, mainly categorical feature combinations.' },
  ONE_HOT_MAX_SIZE: { label: 'one-hot limit', unit: 'categories', what: 'Categorical features with at most this many values are one-hot encoded instead of target-encoded.' },
} as const satisfies Record<string, { label: string; unit?: string; what: string }>;

// Bounds shared by several models.
const RATIO: readonly [number, number] = [0.1, 1];
const LEARNING_RATE_BOUNDS: readonly [number, number] = [0.001, 1];
const TREE_COUNT_BOUNDS: readonly [number, number] = [10, 10_000];
const REGULARISATION_BOUNDS: readonly [number, number] = [0, 1000];
const POSITIVE_WEIGHT_BOUNDS: readonly [number, number] = [0.01, 100];

/** 110 tunable defaults in total; the seed test pins the count. */
export const MODEL_TABLES: readonly ModelTable[] = [
  {
    model: 'XGBOOST',
    label: 'XGBoost',
    groupName: 'Training / XGBoost',
    hyperParameters: [
      hp('LEARNING_RATE', 'FLOAT', LEARNING_RATE_BOUNDS, tf(0.03, 0.05, 0.08), [0.005, 0.3], 'log'),
      hp('N_ESTIMATORS', 'INT', TREE_COUNT_BOUNDS, tf(1500, 1000, 600), [200, 3000], 'log'),
      hp('MIN_CHILD_WEIGHT', 'FLOAT', REGULARISATION_BOUNDS, tf(5, 3, 1), [0.5, 50], 'log'),
      hp('MAX_DEPTH', 'INT', [1, 16], 6, [3, 10], 'linear'),
      hp('SUBSAMPLE', 'FLOAT', RATIO, 0.8, [0.5, 1], 'linear'),
      hp('COLSAMPLE_BYTREE', 'FLOAT', RATIO, 0.8, [0.4, 1], 'linear'),
      hp('COLSAMPLE_BYLEVEL', 'FLOAT', RATIO, 1, [0.5, 1], 'linear'),
      hp('COLSAMPLE_BYNODE', 'FLOAT', RATIO, 1, [0.5, 1], 'linear'),
      hp('GAMMA', 'FLOAT', [0, 100], 0, [0, 5], 'linear'),
      hp('REG_ALPHA', 'FLOAT', REGULARISATION_BOUNDS, 0.01, [0.0001, 10], 'log'),
      hp('REG_LAMBDA', 'FLOAT', REGULARISATION_BOUNDS, 1, [0.01, 100], 'log'),
      hp('MAX_DELTA_STEP', 'FLOAT', [0, 10], 0, [0, 5], 'linear'),
      hp('SCALE_POS_WEIGHT', 'FLOAT', POSITIVE_WEIGHT_BOUNDS, 1, [0.5, 10], 'log'),
      hp('MAX_BIN', 'INT', [16, 1024], 256, [64, 512], 'log'),
    ],
  },
  {
    model: 'LIGHTGBM',
    label: 'LightGBM',
    groupName: 'Training / LightGBM',
    hyperParameters: [
      hp('LEARNING_RATE', 'FLOAT', LEARNING_RATE_BOUNDS, tf(0.03, 0.05, 0.08), [0.005, 0.3], 'log'),
      hp('N_ESTIMATORS', 'INT', TREE_COUNT_BOUNDS, tf(2000, 1200, 700), [200, 4000], 'log'),
      hp('MIN_CHILD_SAMPLES', 'INT', [1, 10_000], tf(100, 50, 20), [5, 500], 'log'),
      hp('NUM_LEAVES', 'INT', [2, 4096], 31, [8, 255], 'log'),
      hp('MAX_DEPTH', 'INT', [-1, 24], 8, [4, 12], 'linear'),
      hp('MIN_CHILD_WEIGHT', 'FLOAT', REGULARISATION_BOUNDS, 0.001, [0.0001, 10], 'log'),
      hp('SUBSAMPLE', 'FLOAT', RATIO, 0.8, [0.5, 1], 'linear'),
      hp('SUBSAMPLE_FREQ', 'INT', [0, 100], 1, [0, 10], 'linear'),
      hp('COLSAMPLE_BYTREE', 'FLOAT', RATIO, 0.8, [0.4, 1], 'linear'),
      hp('COLSAMPLE_BYNODE', 'FLOAT', RATIO, 1, [0.5, 1], 'linear'),
      hp('REG_ALPHA', 'FLOAT', REGULARISATION_BOUNDS, 0.01, [0.0001, 10], 'log'),
      hp('REG_LAMBDA', 'FLOAT', REGULARISATION_BOUNDS, 1, [0.01, 100], 'log'),
      hp('MIN_SPLIT_GAIN', 'FLOAT', [0, 100], 0, [0, 2], 'linear'),
      hp('MAX_BIN', 'INT', [16, 1024], 255, [63, 511], 'log'),
      hp('PATH_SMOOTH', 'FLOAT', REGULARISATION_BOUNDS, 0, [0, 10], 'linear'),
      hp('SCALE_POS_WEIGHT', 'FLOAT', POSITIVE_WEIGHT_BOUNDS, 1, [0.5, 10], 'log'),
    ],
  },
  {
    model: 'CATBOOST',
    label: 'CatBoost',
    groupName: 'Training / CatBoost',
    hyperParameters: [
      hp('LEARNING_RATE', 'FLOAT', LEARNING_RATE_BOUNDS, tf(0.03, 0.05, 0.08), [0.005, 0.3], 'log'),
      hp('ITERATIONS', 'INT', TREE_COUNT_BOUNDS, tf(2000, 1200, 800), [300, 4000], 'log'),
      hp('MIN_DATA_IN_LEAF', 'INT', [1, 10_000], tf(50, 20, 10), [1, 300], 'log'),
      hp('DEPTH', 'INT', [1, 16], 6, [4, 10], 'linear'),
      hp('L2_LEAF_REG', 'FLOAT', REGULARISATION_BOUNDS, 3, [1, 30], 'log'),
      hp('RANDOM_STRENGTH', 'FLOAT', [0, 100], 1, [0.1, 10], 'log'),
      hp('BAGGING_TEMPERATURE', 'FLOAT', [0, 100], 1, [0, 5], 'linear'),
      hp('BORDER_COUNT', 'INT', [1, 65_535], 254, [32, 512], 'log'),
      hp('RSM', 'FLOAT', [0.01, 1], 1, [0.3, 1], 'linear'),
      hp('LEAF_ESTIMATION_ITERATIONS', 'INT', [1, 100], 1, [1, 10], 'linear'),
      hp('MODEL_SIZE_REG', 'FLOAT', [0, 100], 0.5, [0, 2], 'linear'),
      hp('SCALE_POS_WEIGHT', 'FLOAT', POSITIVE_WEIGHT_BOUNDS, 1, [0.5, 10], 'log'),
      hp('ONE_HOT_MAX_SIZE', 'INT', [1, 255], 2, [2, 10], 'linear'),
    ],
  },
  {
    // The meta-model (LightGBM) only sees the primary model's signals, far fewer rows: smaller trees.
    model: 'METALABEL',
    label: 'MetaLabel meta-model',
    groupName: 'Training / MetaLabel',
    hyperParameters: [
      hp('LEARNING_RATE', 'FLOAT', LEARNING_RATE_BOUNDS, tf(0.03, 0.05, 0.05), [0.005, 0.3], 'log'),
      hp('N_ESTIMATORS', 'INT', TREE_COUNT_BOUNDS, tf(600, 400, 300), [100, 1500], 'log'),
      hp('MIN_CHILD_SAMPLES', 'INT', [1, 10_000], tf(40, 20, 10), [5, 200], 'log'),
      hp('MAX_DEPTH', 'INT', [-1, 24], 4, [2, 8], 'linear'),
      hp('NUM_LEAVES', 'INT', [2, 4096], 15, [4, 63], 'log'),
      hp('SUBSAMPLE', 'FLOAT', RATIO, 0.8, [0.5, 1], 'linear'),
      hp('SUBSAMPLE_FREQ', 'INT', [0, 100], 1, [0, 5], 'linear'),
      hp('COLSAMPLE_BYTREE', 'FLOAT', RATIO, 0.7, [0.4, 1], 'linear'),
      hp('REG_ALPHA', 'FLOAT', REGULARISATION_BOUNDS, 0.1, [0.001, 10], 'log'),
      hp('REG_LAMBDA', 'FLOAT', REGULARISATION_BOUNDS, 5, [0.1, 100], 'log'),
      hp('MIN_SPLIT_GAIN', 'FLOAT', [0, 100], 0, [0, 1], 'linear'),
      hp('SCALE_POS_WEIGHT', 'FLOAT', POSITIVE_WEIGHT_BOUNDS, 1, [0.5, 5], 'log'),
      hp('MAX_BIN', 'INT', [16, 1024], 127, [31, 255], 'log'),
    ],
  },
  {
    // Stage 1 (XGBoost) predicts the direction on every CUSUM event.
    model: 'TWOSTAGE_STAGE1',
    label: 'TwoStage direction model (stage 1)',
    groupName: 'Training / TwoStage',
    hyperParameters: [
      hp('LEARNING_RATE', 'FLOAT', LEARNING_RATE_BOUNDS, tf(0.03, 0.05, 0.08), [0.005, 0.3], 'log'),
      hp('N_ESTIMATORS', 'INT', TREE_COUNT_BOUNDS, tf(1200, 800, 500), [200, 2500], 'log'),
      hp('MAX_DEPTH', 'INT', [1, 16], 6, [3, 10], 'linear'),
      hp('MIN_CHILD_WEIGHT', 'FLOAT', REGULARISATION_BOUNDS, 3, [0.5, 50], 'log'),
      hp('SUBSAMPLE', 'FLOAT', RATIO, 0.8, [0.5, 1], 'linear'),
      hp('COLSAMPLE_BYTREE', 'FLOAT', RATIO, 0.8, [0.4, 1], 'linear'),
      hp('GAMMA', 'FLOAT', [0, 100], 0, [0, 5], 'linear'),
      hp('REG_ALPHA', 'FLOAT', REGULARISATION_BOUNDS, 0.01, [0.0001, 10], 'log'),
      hp('REG_LAMBDA', 'FLOAT', REGULARISATION_BOUNDS, 1, [0.01, 100], 'log'),
      hp('SCALE_POS_WEIGHT', 'FLOAT', POSITIVE_WEIGHT_BOUNDS, 1, [0.5, 10], 'log'),
      hp('MAX_BIN', 'INT', [16, 1024], 256, [64, 512], 'log'),
    ],
  },
  {
    // Stage 2 (XGBoost) scores entry quality on stage-1 positives only: fewer rows, shallower trees.
    model: 'TWOSTAGE_STAGE2',
    label: 'TwoStage entry-quality model (stage 2)',
    groupName: 'Training / TwoStage',
    hyperParameters: [
      hp('LEARNING_RATE', 'FLOAT', LEARNING_RATE_BOUNDS, tf(0.03, 0.05, 0.05), [0.005, 0.3], 'log'),
      hp('N_ESTIMATORS', 'INT', TREE_COUNT_BOUNDS, tf(600, 400, 300), [100, 1500], 'log'),
      hp('MAX_DEPTH', 'INT', [1, 16], 4, [2, 8], 'linear'),
      hp('MIN_CHILD_WEIGHT', 'FLOAT', REGULARISATION_BOUNDS, 5, [1, 50], 'log'),
      hp('SUBSAMPLE', 'FLOAT', RATIO, 0.8, [0.5, 1], 'linear'),
      hp('COLSAMPLE_BYTREE', 'FLOAT', RATIO, 0.7, [0.4, 1], 'linear'),
      hp('GAMMA', 'FLOAT', [0, 100], 0.5, [0, 5], 'linear'),
      hp('REG_ALPHA', 'FLOAT', REGULARISATION_BOUNDS, 0.1, [0.001, 10], 'log'),
      hp('REG_LAMBDA', 'FLOAT', REGULARISATION_BOUNDS, 5, [0.1, 100], 'log'),
      hp('SCALE_POS_WEIGHT', 'FLOAT', POSITIVE_WEIGHT_BOUNDS, 1, [0.5, 5], 'log'),
      hp('MAX_BIN', 'INT', [16, 1024], 128, [32, 256], 'log'),
    ],
  },
];

/** 5 model families x 3 timeframes = 15 defaults; a TwoStage run shares one patience for both stages. */
export const EARLY_STOPPING: readonly EarlyStopping[] = [
  { model: 'XGBOOST', label: 'XGBoost', groupName: 'Training / XGBoost', rounds: tf(100, 75, 50) },
  { model: 'LIGHTGBM', label: 'LightGBM', groupName: 'Training / LightGBM', rounds: tf(100, 75, 50) },
  { model: 'CATBOOST', label: 'CatBoost', groupName: 'Training / CatBoost', rounds: tf(150, 100, 75) },
  { model: 'METALABEL', label: 'MetaLabel meta-model', groupName: 'Training / MetaLabel', rounds: tf(50, 40, 30) },
  { model: 'TWOSTAGE', label: 'TwoStage (both stages)', groupName: 'Training / TwoStage', rounds: tf(75, 50, 40) },
];

const EARLY_STOPPING_BOUNDS: readonly [number, number] = [5, 2000];

/** Key of a tunable default, e.g. trainingKey('XGBOOST', 'LEARNING_RATE', '5M') = CVN_HPO_XGBOOST_5M_LEARNING_RATE. */
export function trainingKey(model: string, hyperParameter: string, timeframe?: TrainingTimeframe): string {
  return ['CVN_HPO', model, timeframe, hyperParameter].filter(Boolean).join('_');
}

/** ADR-59 string form: INT base-10, FLOAT a plain decimal (never exponent notation). */
function formatValue(type: 'INT' | 'FLOAT', value: number): string {
  if (type === 'INT') {
    if (!Number.isInteger(value)) throw new Error(`INT hyper-parameter value ${value} is not an integer`);
    return String(value);
  }
  if (Number.isInteger(value)) return value.toFixed(1);
  const plain = String(value);
  return plain.includes('e') ? value.toFixed(20).replace(/0+$/, '') : plain;
}

function tunableEntries(table: ModelTable, param: HyperParameter): CatalogEntrySeed[] {
  const doc: { label: string; unit?: string; what: string } = HYPERPARAMETER_DOCS[param.key];
  const variants: { timeframe?: TrainingTimeframe; value: number }[] =
    typeof param.defaultValue === 'number'
      ? [{ value: param.defaultValue }]
      : TRAINING_TIMEFRAMES.map((timeframe) => ({ timeframe, value: (param.defaultValue as PerTimeframe)[timeframe] }));

  return variants.flatMap(({ timeframe, value }) => {
    const name = trainingKey(table.model, param.key, timeframe);
    const scope = timeframe ? `${table.label}, ${timeframe.toLowerCase()} models` : table.label;
    const shared = { groupName: table.groupName, category: 'HPO', consumedOutside: TRAINING_HARNESS_CONSUMER } as const;
    // RANGE_MIN / RANGE_MAX share the hyper-parameter's type, bounds and unit: they are values of it.
    const numeric = {
      ...shared,
      type: param.type,
      minValue: param.bounds[0],
      maxValue: param.bounds[1],
      ...(doc.unit ? { unit: doc.unit } : {}),
    };
    return [
      {
        name,
        ...numeric,
        defaultValue: formatValue(param.type, value),
        description: `${doc.what} ${scope}: used as-is when HPO is off.`,
      },
      {
        name: `${name}_RANGE_MIN`,
        ...numeric,
        defaultValue: formatValue(param.type, param.range[0]),
        description: `Lower bound of the HPO search range for the ${doc.label} (${scope}).`,
      },
      {
        name: `${name}_RANGE_MAX`,
        ...numeric,
        defaultValue: formatValue(param.type, param.range[1]),
        description: `Upper bound of the HPO search range for the ${doc.label} (${scope}).`,
      },
      {
        name: `${name}_RANGE_SCALE`,
        ...shared,
        type: 'ENUM',
        allowedValues: [...RANGE_SCALES],
        defaultValue: param.scale,
        description: `How HPO samples the ${doc.label} (${scope}) between its bounds: 'linear' uniformly, 'log' uniformly in log space (needs a range minimum above 0).`,
      },
    ] satisfies CatalogEntrySeed[];
  });
}

function earlyStoppingEntries(entry: EarlyStopping): CatalogEntrySeed[] {
  return TRAINING_TIMEFRAMES.map((timeframe) => ({
    name: trainingKey(entry.model, 'EARLY_STOPPING_ROUNDS', timeframe),
    type: 'INT',
    minValue: EARLY_STOPPING_BOUNDS[0],
    maxValue: EARLY_STOPPING_BOUNDS[1],
    defaultValue: formatValue('INT', entry.rounds[timeframe]),
    unit: 'rounds',
    description: `${entry.label}, ${timeframe.toLowerCase()} models: training stops after this many rounds without improvement of the validation metric.`,
    groupName: entry.groupName,
    category: 'HPO',
    consumedOutside: TRAINING_HARNESS_CONSUMER,
  }));
}

/** All 455 training hyper-parameter keys, grouped per model family. */
export function trainingHyperparameterCatalog(): CatalogEntrySeed[] {
  const tunable = MODEL_TABLES.flatMap((table) => table.hyperParameters.flatMap((param) => tunableEntries(table, param)));
  return [...tunable, ...EARLY_STOPPING.flatMap(earlyStoppingEntries)];
}
