import { collectDefaultMetrics, Registry } from 'prom-client';
import { createRuntimeAgent, type AgentLogger, type RuntimeAgent, type RuntimeAgentOptions, type SessionCodeVersion } from '../src/index.ts';
import { startMetricsServer, type MetricsServer } from './metrics-server.ts';
import { createPaperTrader, paperWorkerParameters, type CycleConfig, type Decision, type PaperWorkerParameter, type TradingBoundaries } from './paper-trader.ts';
import { createCandleSource } from './synthetic-candles.ts';

export interface PaperWorkerOptions {
  url: string;
  token: string;
  environment?: string;
  workerName?: string;
  seed?: number;
  /** Candles the indicators are bootstrapped on before the first decision. */
  historyBars?: number;
  logger?: AgentLogger;
  onDecision?: (decision: Decision) => void;
  agentOptions?: Pick<RuntimeAgentOptions<PaperWorkerParameter>, 'stalenessBudgetMs' | 'pollIntervalMs' | 'heartbeatIntervalMs' | 'applyReportJitterMs' | 'retry'>;
  /** Serve the agent's and the process's metrics on GET /metrics of this port (0: any free one). Off when absent. */
  metrics?: { port: number; host?: string };
  /** The code this worker runs: with it the paper session binds itself to a parameter set and records its epochs. */
  codeVersion?: SessionCodeVersion;
}

/** The agent's boundary calls, in the shape the strategy speaks. */
function boundariesFor(agent: RuntimeAgent<PaperWorkerParameter>): TradingBoundaries {
  return {
    cycleStart(): CycleConfig {
      const snapshot = agent.cycleStart();
      return {
        version: snapshot.version,
        number: (name) => snapshot.get(name) as number,
        boolean: (name) => snapshot.get(name) as boolean,
      };
    },
    cycleEnd: () => agent.cycleEnd(),
    positionOpened: () => agent.positionOpened(),
    positionClosed: () => agent.positionClosed(),
    criticalSection: (work) => agent.withCriticalSection(work),
  };
}

/**
 * The reference paper-trading worker: it declares every parameter it reads,
 * fails fast when one is missing or invalid, bootstraps its indicators on
 * deterministic history, then decides one candle per cycle with every
 * decision tagged by the configuration version that produced it.
 */
export async function createPaperWorker({
  url, token, environment = 'dev', workerName = 'paper-1', seed = 42, historyBars = 500, logger, onDecision, agentOptions = {}, metrics, codeVersion,
}: PaperWorkerOptions) {
  const registry = metrics ? new Registry() : undefined;
  if (registry) collectDefaultMetrics({ register: registry });
  const agent = createRuntimeAgent({
    url, token, environment, workerName, mode: 'PAPER', consumes: paperWorkerParameters, logger, ...agentOptions,
    ...(registry ? { metrics: { registry } } : {}),
    ...(codeVersion ? { session: { codeVersion, metadata: { worker: 'reference-paper-worker', seed, historyBars } } } : {}),
  });
  // Up before ready(): a worker still loading is scraped as NOT_READY.
  const metricsServer: MetricsServer | undefined = registry && metrics ? await startMetricsServer({ registry, port: metrics.port, host: metrics.host }) : undefined;
  const startSnapshot = await agent.ready().catch(async (error: unknown) => {
    await metricsServer?.close();
    throw error;
  });
  const boundaries = boundariesFor(agent);
  const trader = createPaperTrader({
    version: startSnapshot.version,
    number: (name) => startSnapshot.get(name) as number,
    boolean: (name) => startSnapshot.get(name) as boolean,
  });
  const candles = createCandleSource({ seed });
  trader.bootstrap(Array.from({ length: historyBars }, () => candles.next()));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  async function step(): Promise<Decision> {
    const decision = await trader.decide(candles.next(), boundaries);
    // The risk-limit boundary: "position close or the next heartbeat,
    // whichever is later" — the worker beats once per candle.
    agent.heartbeat();
    onDecision?.(decision);
    return decision;
  }

  return {
    agent,
    trader,
    step,
    /** http://host:port/metrics when `metrics` was given. */
    metricsUrl: metricsServer?.url,
    /** Decides one candle every `intervalMs` until stopped. */
    start(intervalMs: number): void {
      const tick = () => {
        running = step().then(() => {}, (error: unknown) => {
          (logger ?? console).error({ event: 'paper_worker_cycle_failed', err: error instanceof Error ? error.message : String(error) }, 'cycle failed');
        }).finally(() => {
          if (timer) timer = setTimeout(tick, intervalMs);
        });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop(): Promise<void> {
      const wasRunning = timer;
      clearTimeout(timer);
      timer = undefined;
      if (wasRunning) await running;
      await agent.close();
      await metricsServer?.close();
    },
  };
}

export type PaperWorker = Awaited<ReturnType<typeof createPaperWorker>>;
