import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AccessService } from '../features/access/index.ts';
import type { Logger } from '../logging/create-logger.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tokenName = 'reference-paper-worker';

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
  const { token } = await access.replaceSystemToken({ environment, name: tokenName, actor: 'system:npm-start' });

  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime-agent/paper-worker/main.ts'], {
    cwd: root,
    env: { ...process.env, UCP_URL: url, UCP_TOKEN: token, UCP_ENVIRONMENT: environment, UCP_WORKER_NAME: 'paper-1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    logger.info({ event: 'reference_worker_exited', code, signal }, 'reference paper worker exited');
    resolve();
  }));
  logger.info({ event: 'reference_worker_started', env: environment, pid: child.pid }, 'reference paper worker started');
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
