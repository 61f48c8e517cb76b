// The product runs the backtests it queues ("Re-run identical" of a backtest
// run, rerunRun): in this process, with the SAME runner as `npm run
// backtest` (runtime-agent/backtest/run-backtest.ts), through the API like
// any client, with a service token of the run's environment issued for that
// run alone and revoked when it ends.
//
// It cannot be stalled or overloaded: one backtest at a time per process,
// each bounded (the spec's limits, a maximum run time after which it ends
// FAILED), the queue lives in the database (PENDING runs), and the replay
// yields to the event loop between chunks of candles, so the API keeps
// answering. It survives restarts: on start (and every poll) it picks up the
// PENDING backtests left behind, and fails loudly the ones a dead process left
// RUNNING. Several replicas may run it: a claim is a compare-and-set
// (RUNNING, expectedStatus PENDING), so a run is executed once.
import { BacktestError } from '../runtime-agent/backtest/backtest-error.ts';
import { runBacktest } from '../runtime-agent/backtest/run-backtest.ts';
import type { AccessService } from '../server/features/access/index.ts';
import type { RunReads } from '../server/features/parameter-sets/index.ts';
import type { Logger } from '../server/logging/create-logger.ts';

export interface BacktestExecutorOptions {
  /** The API this process serves (the runner speaks to it over HTTP, like the CLI). */
  url: string;
  runs: Pick<RunReads, 'queuedBacktests' | 'abandonedBacktests'>;
  access: Pick<AccessService, 'replaceSystemToken' | 'revokeSystemToken'>;
  logger: Logger;
  /** How often the queue is looked at without a wake-up (another replica's re-run, a restart's leftovers). Default 30 s. */
  pollIntervalMs?: number;
  /** A backtest running longer ends FAILED. Default 10 minutes. */
  maxRunMs?: number;
  /** A queued backtest claimed longer ago than this and still RUNNING was left by a dead process: it is failed. Default maxRunMs + 1 minute. */
  abandonedAfterMs?: number;
}

export interface BacktestExecutor {
  /** Look at the queue now (a re-run was just queued). Coalesced: never more than one pass at a time. */
  wake(): void;
  /** Resolves when the queue is empty and nothing runs (tests wait on it). */
  idle(): Promise<void>;
  /** Stops polling; a backtest still running ends FAILED (ABORTED) and is recorded so. */
  stop(): Promise<void>;
}

const actor = 'system:backtest-executor';

export function startBacktestExecutor({
  url, runs, access, logger, pollIntervalMs = 30_000, maxRunMs = 10 * 60_000, abandonedAfterMs = maxRunMs + 60_000,
}: BacktestExecutorOptions): BacktestExecutor {
  const stopping = new AbortController();
  let pass: Promise<void> | undefined;
  let again = false;
  let idleWaiters: (() => void)[] = [];

  /** A token of the run's environment for this run alone: the audit trail says which job moved it. */
  async function withRunToken<T>(run: { id: string; environment: string }, work: (token: string) => Promise<T>): Promise<T> {
    const issued = await access.replaceSystemToken({ environment: run.environment, name: `backtest-executor ${run.id}`, actor });
    try {
      return await work(issued.token);
    } finally {
      await access.revokeSystemToken({ id: issued.serviceToken.id, actor }).catch((error: unknown) =>
        logger.error({ event: 'backtest_token_not_revoked', run: run.id, err: String(error) }, 'could not revoke a backtest job\'s token'));
    }
  }

  async function failAbandoned(): Promise<void> {
    for (const run of await runs.abandonedBacktests(new Date(Date.now() - abandonedAfterMs), 20)) {
      const response = await withRunToken(run, (token) => fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: 'mutation ($input: UpdateRunStatusInput!) { updateRunStatus(input: $input) { id } }',
          variables: { input: { id: run.id, status: 'FAILED', expectedStatus: 'RUNNING', outcomeMessage: 'ABANDONED: the process running this backtest stopped before it ended; re-run it.' } },
        }),
      }));
      const body = (await response.json()) as { errors?: { message: string }[] };
      if (body.errors?.length) logger.error({ event: 'backtest_abandoned_not_failed', run: run.id, err: body.errors[0]!.message }, 'could not fail an abandoned backtest');
      else logger.error({ event: 'backtest_abandoned', run: run.id }, 'a backtest left running by a stopped process was failed');
    }
  }

  async function execute(run: { id: string; environment: string }): Promise<'done' | 'retry-later'> {
    const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(maxRunMs)]);
    try {
      const result = await withRunToken(run, (token) => runBacktest({ runId: run.id }, {
        url, token, signal, log: (event, fields) => logger.info({ event, ...fields }, event.replaceAll('_', ' ')),
      }));
      logger.info({ event: 'backtest_executed', run: run.id, output_digest: result.outputDigest }, 'queued backtest succeeded');
      return 'done';
    } catch (error) {
      if (error instanceof BacktestError && error.code === 'CLAIMED') return 'done'; // another replica has it
      // Recorded on the run (FAILED with why) unless the API itself was away: then it stays PENDING for the next pass.
      const recorded = error instanceof BacktestError && error.code !== 'API_ERROR';
      logger.error({ event: 'backtest_execution_failed', run: run.id, code: error instanceof BacktestError ? error.code : 'INTERNAL', err: String(error), recorded }, 'queued backtest failed');
      return recorded ? 'done' : 'retry-later';
    }
  }

  async function drain(): Promise<void> {
    await failAbandoned();
    while (!stopping.signal.aborted) {
      const [next] = await runs.queuedBacktests(1);
      if (!next) return;
      // A failure the run could not record (the API away): stop here until the next poll, instead of spinning on it.
      if ((await execute(next)) === 'retry-later') return;
    }
  }

  function schedule(): void {
    if (stopping.signal.aborted) return;
    if (pass) {
      again = true;
      return;
    }
    pass = drain()
      .catch((error: unknown) => logger.error({ event: 'backtest_queue_failed', err: String(error) }, 'could not read the backtest queue'))
      .finally(() => {
        pass = undefined;
        if (again) {
          again = false;
          schedule();
        } else {
          for (const resolve of idleWaiters.splice(0)) resolve();
        }
      });
  }

  const poll = setInterval(schedule, pollIntervalMs);
  poll.unref();
  schedule();

  return {
    wake: schedule,
    idle: () => (pass ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    async stop() {
      clearInterval(poll);
      stopping.abort();
      await pass;
      for (const resolve of idleWaiters.splice(0)) resolve();
      idleWaiters = [];
    },
  };
}
