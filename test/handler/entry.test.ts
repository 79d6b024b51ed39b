/**
 * The handler's entry: one step's JSON, parsed by the one parser; anything it cannot read is one
 * line, never a stack trace, from runStep and from the bundle's command line.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runStep, type StepRuntime } from '../../lib/handler';
import { parseStep } from '../../lib/handler/step';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const TOKEN = '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e4f5';

let dir: string;
let out: string[];
let err: string[];
let rt: StepRuntime;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-entry-'));
  out = [];
  err = [];
  // no credentials and no API: none of these steps may make a call
  rt = { env: { IONOS_CONFIG_FILE: path.join(dir, 'no-config') }, workDir: dir, output: { out: (l) => out.push(l), err: (l) => err.push(l) } };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const create = (extra: object = {}) =>
  JSON.stringify({
    op: 'create',
    path: 'ci/push',
    registryId: REGISTRY,
    tokenId: TOKEN,
    apiUrl: '',
    spec: { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status: 'enabled', expiryDate: null },
    createId: 'create-1',
    ...extra,
  });

describe('handler entry', () => {
  test('a delete from a password resource of the 0.1 layout (no identity recorded) is a no-op, not a failure', async () => {
    const code = await runStep('{"op":"delete","identity":null}', rt);
    expect({ code, out, err }).toEqual({ code: 0, out: [], err: [] });
    // it changes no token, so it says so only with the debug switch
    expect(await runStep('{"op":"delete","identity":null}', { ...rt, env: { ...rt.env, IONOS_REGISTRY_TOKEN_DEBUG: '1' } })).toBe(0);
    expect(out).toEqual(['registry-token: delete: this resource records no token (state from before 0.2); nothing to delete here']);
  });

  test('a step it cannot read fails with one line naming what is wrong', async () => {
    const cases: [string, string][] = [
      ['not json', 'registry-token: step failed: the handler got a step it cannot read (it is not JSON)'],
      ['[1]', 'registry-token: step failed: the handler got a step it cannot read (it is not a JSON object)'],
      ['{"op":"capture"}', 'registry-token: step failed: the handler got a step it cannot read (operation "capture")'],
      [create({ tokenId: undefined }), 'registry-token: create failed: the handler got a step it cannot read (the create step has no tokenId)'],
      ['{"op":"specs","stack":"ci","tokens":[{"path":"ci/a"}]}', 'registry-token: specs failed: the handler got a step it cannot read (ci/a has no entry)'],
    ];
    for (const [text, line] of cases) {
      err.length = 0;
      expect(await runStep(text, rt)).toBe(1);
      expect(err).toEqual([`${line}; it is meant to be run by the RegistryToken construct's provisioners`]);
    }
  });

  test('retry settings that were unresolved at synth are checked with the construct\'s words, before any call', async () => {
    expect(await runStep(create({ maxAttempts: 0 }), rt)).toBe(1);
    expect(err).toEqual(['registry-token: create failed: ci/push: maxAttempts 0 must be a whole number of at least 1']);
    // as Terraform encodes a string variable of digits: accepted
    expect(parseStep(create({ maxAttempts: '3', totalTimeoutSeconds: 60 }))).toMatchObject({ maxAttempts: 3, totalTimeoutSeconds: 60 });
  });

  test('a rule broken by a value unresolved at synth: one line per rule, no call', async () => {
    const bad = create({ spec: { name: '1abc', scopes: [{ type: 'repository', name: 'app/*', actions: ['push'] }], status: 'on', expiryDate: null } });
    expect(await runStep(bad, rt)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0].split('\n')).toEqual([
      'registry-token: create failed: ci/push: name "1abc" must start with a letter a-z (3-63 chars of a-z, A-Z, 0-9, "-")',
      'ci/push: scopes[0].actions ["push"] must contain "pull" when it contains "push" (push requires pull)',
      'ci/push: status "on" must be one of enabled, disabled',
    ]);
  });
});

describe('the bundle run by hand', () => {
  const bundle = path.join(__dirname, '..', '..', 'dist', 'handler');
  const run = (args: string[], input: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [path.join(bundle, 'index.js'), ...args], { input, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });

  test('with no step on stdin: one line, exit 1', () => {
    const res = run(['create'], '');
    expect(res.status).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringContaining('no step on stdin')]);
  });
  test('with an unknown operation: the usage line, exit 2', () => {
    const res = run(['update'], '');
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });
  test('run.sh without a step: one line, exit 2, no handler started', () => {
    const res = spawnSync('/bin/sh', [path.join(bundle, 'run.sh'), '/nonexistent', 'registry-token: the create step of x'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(res.status).toBe(2);
    expect(res.stderr.trim()).toBe("registry-token: no step (IONOS_RT_STEP is empty): run.sh is run by the RegistryToken construct's provisioners");
  });
});

describe('the specs-before step', () => {
  const entries = { 'ci/a': { name: 'a', token_id: TOKEN, registry_id: REGISTRY } };
  const text = JSON.stringify(entries);
  const wire = (pieces: string[]) => JSON.stringify({ op: 'specs-before', declared: [], beforeText: pieces });

  test('joins the pieces of the entries, wherever they were cut', () => {
    for (const at of [0, 1, 7, text.length - 1, text.length]) {
      expect(parseStep(wire([text.slice(0, at), text.slice(at), '']))).toEqual({ op: 'specs-before', declared: [], before: entries });
    }
  });
  test('entries cut short (more left than there was room for) are one line saying what to do', () => {
    expect(() => parseStep(wire([text.slice(0, 10), text.slice(10, 20)]))).toThrow(
      'the entries the specs resource held do not fit the 2 pieces this synth made room for (far more tokens left the code at once than are declared): declare the removed tokens again and remove them over several deploys',
    );
  });
});
