/** `registry-token --help` and `--version`: stdout, exit 0. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main, USAGE, type Io } from '../../lib/cli/main';

const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: () => '' };
  const code = await main(argv, {}, io);
  return { code, stdout, stderr };
}

test('--version prints the package version and exits 0', async () => {
  expect(await run(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
});

test.each([['--help'], ['-h'], ['help']])('%s prints the usage and exits 0', async (flag) => {
  const r = await run([flag]);
  expect(r).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  expect(r.stdout).toMatch(/^usage:\n {2}registry-token plan-summary/);
  expect(r.stdout).toContain('registry-token --help | --version');
});

test('an unknown option is still an error', async () => {
  const r = await run(['--verison']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^registry-token: unknown command "--verison"/);
});
