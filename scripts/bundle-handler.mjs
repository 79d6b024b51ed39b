// Bundles the apply-time handler into one CommonJS file (dist/handler/index.js) with esbuild, so it
// runs on any machine with Node, without node_modules: the construct ships it as a TerraformAsset.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// axios requires form-data (and with it mime-db, ~140 KiB) for multipart bodies, which the handler
// never sends: a stand-in that fails loudly keeps them out and cuts ~10% off every handler start.
const noMultipart = {
  name: 'no-multipart',
  setup(b) {
    b.onResolve({ filter: /^form-data$/ }, () => ({ path: 'form-data', namespace: 'no-multipart' }));
    b.onLoad({ filter: /.*/, namespace: 'no-multipart' }, () => ({
      contents: 'module.exports = class FormData { constructor() { throw new Error("registry-token handler: multipart bodies are not supported"); } };',
      loader: 'js',
    }));
  },
};
rmSync(join(root, 'dist/handler'), { recursive: true, force: true }); // no stale LEGAL.txt
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
  plugins: [noMultipart],
});
// The provisioners' shell side of the step worker, shipped in the same asset folder.
copyFileSync(join(root, 'lib/handler/run.sh'), join(root, 'dist/handler/run.sh'));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`bundled handler: dist/handler/index.js (${Math.round(bytes / 1024)} KiB) and run.sh`);
