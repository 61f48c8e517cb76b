import { randomBytes } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { seedUsers } from './seed-database.ts';

/**
 * The first start's passwords: UCP_<USER>_PASSWORD when set (e.g.
 * UCP_ADMIN_PASSWORD), otherwise random. Random ones are written once to a
 * file only the owner can read, never to a log.
 */
export async function initialPasswords(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ passwords: Record<string, string>; file?: string }> {
  const passwords: Record<string, string> = {};
  let generated = false;
  for (const user of seedUsers) {
    const fromEnv = env[`UCP_${user.username.toUpperCase()}_PASSWORD`];
    if (fromEnv) passwords[user.username] = fromEnv;
    else {
      passwords[user.username] = randomBytes(12).toString('base64url');
      generated = true;
    }
  }
  if (!generated) return { passwords };
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'initial-credentials.txt');
  const lines = seedUsers.map((u) => `${u.username.padEnd(9)} ${u.role.padEnd(9)} ${passwords[u.username]}`);
  await writeFile(file, `# Seeded on first start. Change these passwords, then delete this file.\n${lines.join('\n')}\n`, { mode: 0o600 });
  return { passwords, file };
}
