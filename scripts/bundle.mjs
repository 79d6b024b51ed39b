// Bundles what runs outside the construct into single CommonJS files with esbuild, so the published
// package has no runtime dependencies (and no bundledDependencies tree: jsii wants every dependency
// to be a jsii module):
//   dist/handler/index.js   the apply-time handler, shipped with run.sh as the construct's TerraformAsset
//   dist/bin/cli.js         the registry-token CLI (bin/registry-token.js)
//   dist/bin/emulator.js    the emulator CLI (bin/ionos-registry-emulator.js)
// axios, ajv and yaml are inlined into these; the construct itself (dist/lib, built by jsii) needs
// none of them.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// axios requires form-data (and with it mime-db, ~140 KiB) for multipart bodies, which nothing here
// sends: a stand-in that fails loudly keeps them out and cuts ~10% off every handler start.
const noMultipart = {
  name: 'no-multipart',
  setup(b) {
    b.onResolve({ filter: /^form-data$/ }, () => ({ path: 'form-data', namespace: 'no-multipart' }));
    b.onLoad({ filter: /.*/, namespace: 'no-multipart' }, () => ({
      contents: 'module.exports = class FormData { constructor() { throw new Error("registry-token: multipart bodies are not supported"); } };',
      loader: 'js',
    }));
  },
};

const bundles = [
  { entry: 'lib/handler/index.ts', out: 'dist/handler/index.js' },
  { entry: 'lib/cli/main.ts', out: 'dist/bin/cli.js' },
  { entry: 'lib/emulator/cli.ts', out: 'dist/bin/emulator.js' },
];
for (const dir of ['dist/handler', 'dist/bin']) rmSync(join(root, dir), { recursive: true, force: true }); // no stale LEGAL.txt
const sizes = [];
const packages = new Set(); // the folders of the node_modules packages inlined, for their licenses
for (const { entry, out } of bundles) {
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, out),
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
  const bytes = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js')).reduce((n, [, o]) => n + o.bytes, 0);
  sizes.push(`${out} (${Math.round(bytes / 1024)} KiB)`);
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input); // the innermost package
    if (m) packages.add(m[1]);
  }
}
// The provisioners' shell side of the step worker, shipped in the same asset folder.
copyFileSync(join(root, 'lib/handler/run.sh'), join(root, 'dist/handler/run.sh'));
// Their licenses (MIT, ISC, BSD) ask that the notice travels with the copy.
const notices = [...packages].sort().map((folder) => {
  const dir = join(root, folder);
  const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  const text = file && existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8').trim() : `(${license}; no license file in the package)`;
  return `${name}@${version} (${license})\n\n${text}\n`;
});
writeFileSync(join(root, 'dist/bin/THIRD-PARTY-LICENSES.txt'), `Packages inlined into dist/bin/*.js and dist/handler/index.js by scripts/bundle.mjs:\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);
console.log(`bundled: ${sizes.join(', ')}; and dist/handler/run.sh`);
