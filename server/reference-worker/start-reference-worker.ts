import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { generateSecret, hashSecret } from '../auth/secret-token.ts';
import { inTransaction } from '../db/transaction.ts';
import { appendAudit } from '../features/audit/append-audit.ts';
import type { Logger } from '../logging/create-logger.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tokenName = 'reference-paper-worker';

/**
 * `npm start` runs one reference paper worker on dev beside the server, as
 * its own process (a worker crash never takes the server down). It gets a
 * fresh service token at each start; the previous one is revoked, so no
 * long-lived secret sits on disk. The token reaches the child through its
 * environment only.
 */
export async function startReferenceWorker({ prisma, url, logger, environment = 'dev' }: {
  prisma: PrismaClient;
  url: string;
  logger: Logger;
  environment?: string;
}): Promise<{ stop(): Promise<void> }> {
  const token = generateSecret('ucp');
  await inTransaction(prisma, async (tx) => {
    const env = await tx.environment.findUniqueOrThrow({ where: { name: environment } });
    const admin = await tx.user.findFirstOrThrow({ where: { role: 'ADMIN' }, orderBy: { createdAt: 'asc' } });
    const stale = await tx.serviceToken.findMany({ where: { environmentId: env.id, name: tokenName, revokedAt: null } });
    if (stale.length) await tx.serviceToken.updateMany({ where: { id: { in: stale.map((t) => t.id) } }, data: { revokedAt: new Date() } });
    const created = await tx.serviceToken.create({ data: { name: tokenName, tokenHash: hashSecret(token), environmentId: env.id, createdById: admin.id } });
    await appendAudit(tx, [
      ...stale.map((t) => ({ action: 'service_token_revoked' as const, actor: 'system:npm-start', environmentId: env.id, subjectId: t.id, details: { name: tokenName } })),
      { action: 'service_token_created', actor: 'system:npm-start', environmentId: env.id, subjectId: created.id, details: { name: tokenName } },
    ]);
  });

  const child = spawn(process.execPath, ['--import', 'tsx', 'runtime-agent/paper-worker/main.ts'], {
    cwd: root,
    env: { ...process.env, UCP_URL: url, UCP_TOKEN: token, UCP_ENVIRONMENT: environment, UCP_WORKER_NAME: 'paper-1' },
    stdio: ['ignore', 'inherit', 'inherit'],
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
