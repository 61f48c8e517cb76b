// `npm run backtest -- --parameter-set <hash> --symbols BTCUSDC,ETHUSDC`
// [--candles N] [--history N] [--seed N] [--environment dev] [--name …]
// [--url http://127.0.0.1:4000] [--token ucp_…] (or UCP_URL, UCP_TOKEN).
// Prints the result as one JSON line; exits 2 when the set or the arguments
// are refused (nothing ran), 1 when the backtest failed (its run ended FAILED).
import { parseArgs } from 'node:util';
import { BacktestError } from './backtest-error.ts';
import { backtestSpec } from './backtest-spec.ts';
import { runBacktest } from './run-backtest.ts';

const refusals = new Set(['INVALID_SPEC', 'PARAMETER_SET_NOT_FOUND', 'PARAMETER_SET_INCOMPLETE']);

function fail(error: unknown): never {
  const code = error instanceof BacktestError ? error.code : 'USAGE';
  process.stderr.write(`${JSON.stringify({ event: 'backtest_refused', code, message: error instanceof Error ? error.message : String(error), ...(error instanceof BacktestError && error.problems.length ? { problems: error.problems } : {}) })}\n`);
  process.exit(code === 'USAGE' || refusals.has(code) ? 2 : 1);
}

try {
  const { values } = parseArgs({
    options: {
      'parameter-set': { type: 'string' }, symbols: { type: 'string' }, candles: { type: 'string' }, history: { type: 'string' }, seed: { type: 'string' },
      environment: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' },
    },
    strict: true,
  });
  const url = values.url ?? process.env.UCP_URL;
  const token = values.token ?? process.env.UCP_TOKEN;
  const hash = values['parameter-set'];
  if (!url || !token || !hash || !values.symbols) throw new Error('usage: npm run backtest -- --parameter-set <hash> --symbols BTCUSDC,ETHUSDC [--candles N] [--history N] [--seed N] [--environment name] (--url and --token, or UCP_URL and UCP_TOKEN)');
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const spec = backtestSpec({ symbols: values.symbols.split(','), candles: number(values.candles), historyBars: number(values.history), seed: number(values.seed) });
  const result = await runBacktest(
    { parameterSetHash: hash, spec, environment: values.environment, name: values.name },
    { url, token, log: (event, fields) => process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`) },
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  fail(error);
}
