import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const webRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(webRoot, '..');
const apiTarget = process.env.UCP_API ?? 'http://127.0.0.1:4000';

/**
 * Writes .gz and .br next to every text asset so the server (sirv) sends the
 * precompressed file instead of compressing on each request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'ucp-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const walk = async (dir: string): Promise<string[]> => {
        const entries = await readdir(dir, { withFileTypes: true });
        const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])));
        return nested.flat();
      };
      for (const file of await walk(outDir)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const body = await readFile(file);
        if (body.length < 1024) continue;
        await writeFile(`${file}.gz`, gzipSync(body, { level: 9 }));
        await writeFile(`${file}.br`, brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: webRoot,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // The console imports the shared contract (contract/), nothing else outside web/.
    fs: { allow: [webRoot, path.join(repoRoot, "contract"), path.join(repoRoot, "node_modules")] },
    proxy: {
      '/graphql': { target: apiTarget, ws: true, changeOrigin: false },
      '/auth': { target: apiTarget },
      // A run's PDF report is the API's; /runs/… otherwise is the console's.
      '^/runs/[^/]+/report\\.pdf': { target: apiTarget },
    },
  },
});
