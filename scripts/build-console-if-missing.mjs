// `prestart`: a fresh clone has no web/dist; build the console once so
// `npm start` serves it. A later `npm run web:build` refreshes it.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync(new URL('../web/dist/index.html', import.meta.url))) {
  const result = spawnSync('npm', ['run', 'web:build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}
