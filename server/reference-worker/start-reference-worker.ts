import { execFileSync, spawn } from 'node:child_process';
import type { AccessService } from '../features/access/index.ts';
import type { Logger } from '../logging/create-logger.ts';
import { repositoryRoot } from '../repository-root.ts';

const root = repositoryRoot;
const tokenName = 'reference-paper-worker';

/** The checkout's commit (the paper session freezes it with every version); UCP_CODE_COMMIT wins, e.g. in an image without .git. */
function codeCommit(): string | undefined {
  if (process.env.UCP_CODE_COMMIT) return process.env.UCP_CODE_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `npm start` runs one reference paper worker on dev beside the server, as
 * its own process (a worker crash never takes the server down). It gets a
 * fresh service token at each start from the access service, which revokes
 * the previous one (replaceSystemToken), so no long-lived secret sits on
 * disk. The token reaches the child through its environment only.
 *
 * The worker lives no longer than the server: it is spawned with an IPC
 * channel, which the operating system closes when this process dies however
 * it dies (SIGKILL, out of memory), and the worker exits on its `disconnect`
 * (runtime-agent/paper-worker/main.ts) instead of polling a dead server.
 */
export async function startReferenceWorker({ access, url, logger, environment = 'dev' }: {
  access: Pick<AccessService, 'replaceSystemToken'>;
  url: string;
  logger: Logger;
  environment?: string;
}): Promise<{ stop(): Promise<void> }> {
  // A service token of its environment may freeze that environment's versions, start runs on the sets it froze and
  // record their epochs (parameter-set-service, run-service, session-service): all a self-binding session needs.
  const { token } = await access.replaceSystemToken({ environment, name: tokenName, actor: 'system:npm-start' });
  const commit = codeCommit();

  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime-agent/paper-worker/main.ts'], {
    cwd: root,
    env: { ...process.env, UCP_URL: url, UCP_TOKEN: token, UCP_ENVIRONMENT: environment, UCP_WORKER_NAME: 'paper-1', ...(commit ? { UCP_CODE_COMMIT: commit } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    logger.info({ event: 'reference_worker_exited', code, signal }, 'reference paper worker exited');
    resolve();
  }));
  logger.info({ event: 'reference_worker_started', env: environment, pid: child.pid, commit: commit ?? null }, 'reference paper worker started');
  if (!commit) logger.warn({ event: 'reference_worker_no_commit' }, 'no git checkout and no UCP_CODE_COMMIT: the reference paper session records no lineage');
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
