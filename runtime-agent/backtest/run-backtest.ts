// The backtest runner: the one code path of `npm run backtest` and of the
// product's queue (app/backtest-executor.ts). It speaks to the API only, with
// a token: it reads the parameter set by hash (never the live state), refuses
// a set missing anything the strategy consumes before any candle, replays the
// paper worker's decision engine over each symbol's deterministic candles and
// records the run: RUNNING, then SUCCEEDED with the digest of every decision
// and trade, or FAILED with why.
import { createGraphQLHttp, type FetchLike, type GraphQLHttp } from '../src/graphql-http.ts';
import { ApiError } from '../src/index.ts';
import { createCandleSource } from '../paper-worker/synthetic-candles.ts';
import { BacktestError } from './backtest-error.ts';
import { CREATE_RUN, RUN, UPDATE_RUN, type RunResult } from './backtest-documents.ts';
import { readBacktestSpec, symbolSeed, type BacktestSpec } from './backtest-spec.ts';
import { readFrozenConfig } from './frozen-config.ts';
import { createOutputDigest } from './output-digest.ts';
import { replaySymbol } from './replay-symbol.ts';

export interface BacktestOptions {
  /** The API's base URL or its /graphql endpoint. */
  url: string;
  /** A service token of the run's environment (or an editor's credential as `Basic …` in `authorization`). */
  token: string;
  fetchImpl?: FetchLike;
  signal?: AbortSignal;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export type BacktestJob =
  /** A new backtest: registered by the runner. */
  | { parameterSetHash: string; spec: BacktestSpec; environment?: string; name?: string }
  /** A PENDING backtest run (a re-run, queued): claimed, then replayed by the spec on the run. */
  | { runId: string };

export interface BacktestResult {
  runId: string;
  parameterSetHash: string;
  spec: BacktestSpec;
  outputDigest: string;
  decisions: number;
  trades: number;
  /** Realised PnL per symbol (USDC, fees included). */
  pnl: Record<string, number>;
}

function apiFailure(error: unknown): BacktestError {
  if (error instanceof BacktestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && error.apiCode === 'CONFLICT') return new BacktestError('CLAIMED', message);
  return new BacktestError('API_ERROR', message);
}

/** Claims a queued run (RUNNING, expectedStatus PENDING: CONFLICT when another executor was first); answers its set. */
async function claim(http: GraphQLHttp, runId: string): Promise<{ parameterSetHash: string; metadata: unknown }> {
  const { run } = await http.request<RunResult>(RUN, { id: runId });
  if (!run) throw new BacktestError('API_ERROR', `No run ${runId} that this token may read.`);
  if (run.kind !== 'BACKTEST') throw new BacktestError('INVALID_SPEC', `Run ${runId} is a ${run.kind} run, not a backtest.`);
  await http.request(UPDATE_RUN, { input: { id: runId, status: 'RUNNING', expectedStatus: 'PENDING' } });
  return { parameterSetHash: run.parameterSet.hash, metadata: run.metadata };
}

/** Runs one backtest job to its recorded end; rejects with BacktestError (the run, when there is one, ended FAILED with the message). */
export async function runBacktest(job: BacktestJob, { url, token, fetchImpl = globalThis.fetch as unknown as FetchLike, signal, log = () => {} }: BacktestOptions): Promise<BacktestResult> {
  const http = createGraphQLHttp({ url: `${url.replace(/\/+$/, '').replace(/\/graphql$/, '')}/graphql`, token, fetchImpl, timeoutMs: 30_000 });
  let runId: string | undefined;
  /** True once the run is this runner's to end (registered by it, or claimed). */
  let owned = false;
  try {
    let parameterSetHash: string;
    let spec: BacktestSpec;
    if ('runId' in job) {
      runId = job.runId;
      const claimed = await claim(http, job.runId);
      owned = true;
      parameterSetHash = claimed.parameterSetHash;
      spec = readBacktestSpec(claimed.metadata);
    } else {
      ({ parameterSetHash, spec } = job);
    }
    // Before any candle, and for a new backtest before anything is registered.
    const frozen = await readFrozenConfig(http, parameterSetHash);
    if (!('runId' in job)) {
      const input = {
        kind: 'BACKTEST', parameterSetHash, name: job.name ?? `backtest ${parameterSetHash.slice(0, 12)} ${spec.symbols.join(',')}`,
        metadata: { backtest: spec }, ...(job.environment ? { environment: job.environment } : {}),
      };
      runId = (await http.request<{ createRun: { id: string } }>(CREATE_RUN, { input })).createRun.id;
      owned = true;
      await http.request(UPDATE_RUN, { input: { id: runId, status: 'RUNNING', expectedStatus: 'PENDING' } });
    }
    log('backtest_started', { run: runId, parameter_set: parameterSetHash, symbols: spec.symbols, candles: spec.candles });
    const digest = createOutputDigest();
    const pnl: Record<string, number> = {};
    for (const symbol of spec.symbols) {
      const source = createCandleSource({ seed: symbolSeed(spec.seed, symbol) });
      const replayed = await replaySymbol({
        config: frozen.config, next: () => source.next(), historyBars: spec.historyBars, candles: spec.candles, signal,
        onDecision: (decision) => digest.add(symbol, decision),
      });
      pnl[symbol] = replayed.realisedPnl;
    }
    signal?.throwIfAborted();
    const { outputDigest, decisions, trades } = digest.finish();
    await http.request(UPDATE_RUN, { input: { id: runId, status: 'SUCCEEDED', outputDigest, outcomeMessage: `${decisions} decisions, ${trades} trades` } });
    log('backtest_succeeded', { run: runId, output_digest: outputDigest, decisions, trades });
    return { runId: runId!, parameterSetHash, spec, outputDigest, decisions, trades, pnl };
  } catch (caught) {
    const error = signal?.aborted && !(caught instanceof BacktestError) ? new BacktestError('ABORTED', 'The backtest was stopped before it finished.') : apiFailure(caught);
    // A run this runner registered or claimed ends FAILED with why (never left behind); a claim another executor won is theirs.
    if (runId && owned) {
      await http.request(UPDATE_RUN, { input: { id: runId, status: 'FAILED', outcomeMessage: `${error.code}: ${error.message}`.slice(0, 1_900) } })
        .catch((failure: unknown) => log('backtest_fail_unrecorded', { run: runId, err: String(failure) }));
    }
    log('backtest_failed', { run: runId ?? null, code: error.code, err: error.message });
    throw error;
  }
}
