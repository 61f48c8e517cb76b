import { createRuntimeAgent, type AgentLogger, type RuntimeAgent } from '../src/index.ts';
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
  agentOptions?: { stalenessBudgetMs?: number; pollIntervalMs?: number; heartbeatIntervalMs?: number };
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
  url, token, environment = 'dev', workerName = 'paper-1', seed = 42, historyBars = 500, logger, onDecision, agentOptions = {},
}: PaperWorkerOptions) {
  const agent = createRuntimeAgent({
    url, token, environment, workerName, mode: 'PAPER', consumes: paperWorkerParameters, logger, ...agentOptions,
  });
  const startSnapshot = await agent.ready();
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
    },
  };
}

export type PaperWorker = Awaited<ReturnType<typeof createPaperWorker>>;
