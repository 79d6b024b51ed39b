// Links this package's own bins (package.json "bin") into node_modules/.bin, so that in a clone
// `npx ionos-registry-emulator` and `npx registry-token` run them (npm links the bins of
// dependencies only, not of the package being developed). Run by `npm run build` (there is no
// `prepare`: the published manifest has no lifecycle script, docs/design/published-manifest.md).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { bin } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dir = join(root, 'node_modules', '.bin');
if (!existsSync(join(root, 'node_modules'))) process.exit(0);
mkdirSync(dir, { recursive: true });
for (const [name, target] of Object.entries(bin)) {
  const link = join(dir, name);
  rmSync(link, { force: true });
  symlinkSync(relative(dir, join(root, target)), link);
  chmodSync(join(root, target), 0o755);
}
console.log(`linked ${Object.keys(bin).join(', ')} into node_modules/.bin`);
