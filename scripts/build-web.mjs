// `npm run build`: the studio's front end (src/studio/web) bundled by esbuild into dist/studio/web.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const out = 'dist/studio/web';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/studio/web/app.ts'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  outfile: `${out}/app.js`,
  logLevel: 'warning',
});
for (const file of ['index.html', 'app.css']) copyFileSync(`src/studio/web/${file}`, `${out}/${file}`);
