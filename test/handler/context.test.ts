/**
 * The step context checks where the calls would go before the first one (no request, no file
 * written), and names a non-default host once per process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import nock from 'nock';
import { stepContext } from '../../lib/handler/context';
import { create, remove, type StepRuntime } from '../../lib/handler/lifecycle';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const TOKEN = '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e4f5';
const desired = { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status: 'enabled', expiryDate: null };

let dir: string;
let out: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-context-'));
  out = [];
  nock.disableNetConnect();
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
});

const runtime = (env: NodeJS.ProcessEnv): StepRuntime => ({ env: { IONOS_TOKEN: 'account-secret', ...env }, workDir: dir, output: { out: (l) => out.push(l), err: (l) => out.push(l) } });
const target = (apiUrl = '') => ({ path: 'ci/push', registryId: REGISTRY, tokenId: TOKEN, apiUrl, desired, createId: 'c-1' });

test.each([
  ['IONOS_API_URL over plain http', { IONOS_API_URL: 'http://attacker.example' }, ''],
  ['a prop apiUrl outside ionos.com', {}, 'https://attacker.example'],
])('a create with %s is refused before any request and before the journal is written', async (_what, env, apiUrl) => {
  // GIVEN a trap on the attacker's host
  const trap = nock(/attacker\.example/).persist().get(/.*/).reply(404, {}).put(/.*/).reply(201, {}).delete(/.*/).reply(204);
  // WHEN / THEN one line naming the source and the rule; nothing sent, no file left
  const ctx = stepContext(runtime(env), target(apiUrl));
  await expect(create({ ...ctx, createId: 'c-1' })).rejects.toThrow(/attacker\.example/);
  expect(trap.isDone()).toBe(false);
  expect(fs.existsSync(dir) ? fs.readdirSync(dir) : []).toEqual([]);
  await expect(remove(ctx)).rejects.toThrow(/attacker\.example/);
  expect(out.join('\n')).not.toContain('account-secret');
});

test('a non-default host is named once, then the calls go there', async () => {
  const api = nock('https://api.de-txl.ionos.com').get(/tokens/).times(2).reply(404, { httpStatus: 404, messages: [] }).delete(/tokens/).times(2).reply(404, { httpStatus: 404, messages: [] });
  const rt = runtime({ IONOS_API_URL: 'https://api.de-txl.ionos.com' });
  await remove(stepContext(rt, target()));
  await remove(stepContext(rt, target()));
  expect(out.filter((l) => l.includes('using the IONOS API at https://api.de-txl.ionos.com (IONOS_API_URL)'))).toHaveLength(1);
  expect(api.pendingMocks().filter((m) => m.includes('DELETE'))).toEqual([]);
});
