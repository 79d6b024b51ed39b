// Bundles the apply-time handler into one CommonJS file (dist/handler/index.js) with esbuild, so it
// runs on any machine with Node, without node_modules: the construct ships it as a TerraformAsset.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const result = await build({
  entryPoints: [join(root, 'lib/handler/index.ts')],
  outfile: join(root, 'dist/handler/index.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'external',
  metafile: true,
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled handler: dist/handler/index.js (${Math.round(bytes / 1024)} KiB)`);
