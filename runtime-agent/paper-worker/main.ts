// The reference paper worker as a process: `UCP_URL`, `UCP_TOKEN` (a service
// token of UCP_ENVIRONMENT, default dev), UCP_CODE_COMMIT, one synthetic candle every
// CANDLE_INTERVAL_MS (default 1000). Each decision is one JSON line on stdout,
// tagged with the configuration version that produced it. With
// PAPER_WORKER_METRICS_PORT set (0: any free port) it serves GET /metrics on
// PAPER_WORKER_METRICS_HOST (default 127.0.0.1) and prints where.
import { readFileSync } from 'node:fs';
import { createPaperWorker } from './run-paper-worker.ts';

const url = process.env.UCP_URL;
const token = process.env.UCP_TOKEN;
if (!url || !token) {
  console.error('paper worker: set UCP_URL and UCP_TOKEN');
  process.exit(2);
}
// Spawned by `npm start` with an IPC channel (server/reference-worker/start-reference-worker.ts):
// the channel closes when that server dies, however it dies, and the worker does not outlive it.
let onServerGone: () => void = () => process.exit(0);
if (process.channel) process.once('disconnect', () => onServerGone());
const metricsPort = process.env.PAPER_WORKER_METRICS_PORT ? Number(process.env.PAPER_WORKER_METRICS_PORT) : undefined;
if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65_535)) {
  console.error(`paper worker: PAPER_WORKER_METRICS_PORT must be a port number (0-65535), not ${process.env.PAPER_WORKER_METRICS_PORT}`);
  process.exit(2);
}
// The code this worker runs, frozen into every set of its session's lineage:
// UCP_CODE_COMMIT (a full sha; npm start passes the checkout's HEAD) and the
// runtime agent's own version. Without a commit the session is not recorded
// (the agent logs runtime_agent_session_not_recorded).
const commit = process.env.UCP_CODE_COMMIT?.trim();
const agentPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
const worker = await createPaperWorker({
  url,
  token,
  environment: process.env.UCP_ENVIRONMENT ?? 'dev',
  workerName: process.env.UCP_WORKER_NAME ?? 'paper-1',
  seed: Number(process.env.PAPER_SEED ?? 42),
  ...(commit ? { codeVersion: { commit, packages: [{ name: agentPackage.name, version: agentPackage.version }] } } : {}),
  ...(metricsPort !== undefined ? { metrics: { port: metricsPort, host: process.env.PAPER_WORKER_METRICS_HOST || '127.0.0.1' } } : {}),
  onDecision: (decision) => {
    if (decision.action === 'open' || decision.action === 'close' || process.env.LOG_EVERY_DECISION === 'true') {
      process.stdout.write(`${JSON.stringify({ event: 'paper_decision', ...decision })}\n`);
    }
  },
});
if (worker.metricsUrl) process.stdout.write(`${JSON.stringify({ event: 'paper_worker_metrics_listening', url: worker.metricsUrl })}\n`);
worker.start(Number(process.env.CANDLE_INTERVAL_MS ?? 1000));
const stop = async () => {
  await worker.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
onServerGone = () => {
  // Stopping reports to a server that is gone: give it a moment, no more.
  setTimeout(() => process.exit(0), 2_000).unref();
  void stop();
};
