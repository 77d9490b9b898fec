// Bundles the dashboard into web/dist: dist/index.html and dist/assets/{app.js,app.css,icon.svg}.
// Fixed file names (the server revalidates them with ETags). No network: every input is in
// src/ or in node_modules, pinned by package-lock.json.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(web, 'dist');

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, 'assets'), { recursive: true });
await build({
  entryPoints: { app: join(web, 'src', 'main.js') },
  bundle: true,
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  target: ['chrome100', 'firefox100', 'safari15'],
  outdir: join(dist, 'assets'),
  logLevel: 'warning',
  legalComments: 'linked',
});
await copyFile(join(web, 'src', 'index.html'), join(dist, 'index.html'));
await copyFile(join(web, 'src', 'icon.svg'), join(dist, 'assets', 'icon.svg'));
console.log('dashboard built in', dist);
