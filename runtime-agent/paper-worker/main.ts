// The reference paper worker as a process: `UCP_URL`, `UCP_TOKEN` (a service
// token of UCP_ENVIRONMENT, default dev), one synthetic candle every
// CANDLE_INTERVAL_MS (default 1000). Each decision is one JSON line on stdout,
// tagged with the configuration version that produced it.
import { createPaperWorker } from './run-paper-worker.ts';

const url = process.env.UCP_URL;
const token = process.env.UCP_TOKEN;
if (!url || !token) {
  console.error('paper worker: set UCP_URL and UCP_TOKEN');
  process.exit(2);
}
const worker = await createPaperWorker({
  url,
  token,
  environment: process.env.UCP_ENVIRONMENT ?? 'dev',
  workerName: process.env.UCP_WORKER_NAME ?? 'paper-1',
  seed: Number(process.env.PAPER_SEED ?? 42),
  onDecision: (decision) => {
    if (decision.action === 'open' || decision.action === 'close' || process.env.LOG_EVERY_DECISION === 'true') {
      process.stdout.write(`${JSON.stringify({ event: 'paper_decision', ...decision })}\n`);
    }
  },
});
worker.start(Number(process.env.CANDLE_INTERVAL_MS ?? 1000));
const stop = async () => {
  await worker.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
