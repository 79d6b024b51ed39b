/**
 * The generated reference and the README's props table follow the public API: API.md is what
 * jsii-docgen makes of the current assembly (.jsii, built by `npm run build`), and every prop of
 * RegistryTokenConfig has a row in the README's Props table.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const ASSEMBLY = path.join(REPO, '.jsii');

function assembly(): { types: Record<string, { properties?: { name: string }[] }> } {
  if (!fs.existsSync(ASSEMBLY)) throw new Error('no .jsii: run npm run build');
  const lib = path.join(REPO, 'lib');
  const newest = Math.max(...fs.readdirSync(lib).filter((f) => f.endsWith('.ts')).map((f) => fs.statSync(path.join(lib, f)).mtimeMs));
  if (fs.statSync(ASSEMBLY).mtimeMs < newest) throw new Error('.jsii is older than lib/: run npm run build');
  return JSON.parse(fs.readFileSync(ASSEMBLY, 'utf8'));
}

test('API.md is what jsii-docgen makes of the current assembly (npm run docgen)', () => {
  assembly();
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-docgen-')), 'API.md');
  execFileSync(path.join(REPO, 'node_modules', '.bin', 'jsii-docgen'), ['-o', out], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const fresh = fs.readFileSync(out, 'utf8');
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const committed = fs.readFileSync(path.join(REPO, 'API.md'), 'utf8');
  if (committed !== fresh) throw new Error('API.md is stale: run npm run docgen and commit it');
  expect(committed).toContain('RegistryTokenConfig');
});

test("every prop of RegistryTokenConfig has a row in the README's Props table", () => {
  const props = assembly().types['cdktf-ionos-registry-token.RegistryTokenConfig'].properties!.map((p) => p.name);
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Props\n'), readme.indexOf('\n## ', readme.indexOf('\n## Props\n') + 1));
  const rows = [...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
  expect(props.length).toBeGreaterThan(10);
  expect(props.filter((p) => !rows.includes(p))).toEqual([]);
  expect(rows.filter((r) => !props.includes(r))).toEqual([]);
});
