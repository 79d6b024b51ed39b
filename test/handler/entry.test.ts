/**
 * The handler's entry: one step's JSON, parsed by the one parser; anything it cannot read is one
 * line, never a stack trace. Also the front door for the create provisioners of 0.1 and 0.2.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runStep, type StepRuntime } from '../../lib/handler';
import { legacyStepText } from '../../lib/handler/legacy';
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
    expect({ code, out, err }).toEqual({ code: 0, out: ['registry-token: delete: this resource records no token (state from before 0.2); nothing to delete here'], err: [] });
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

describe('the create provisioners of 0.1 and 0.2 (IONOS_RT_* variables)', () => {
  const env = {
    IONOS_RT_REGISTRY_ID: REGISTRY,
    IONOS_RT_TOKEN_ID: TOKEN,
    IONOS_RT_NAME: 'up-plain',
    IONOS_RT_PATH: 'integ/up-plain',
    IONOS_RT_SPEC: '{"name":"up-plain","scopes":[{"type":"repository","name":"app/*","actions":["pull","push"]}],"status":"enabled","expiryDate":null}',
    IONOS_RT_CREATE_ID: 'create-1',
    IONOS_RT_API_URL: '',
    IONOS_RT_WORK_DIR: '.registry-token',
  };

  test("become today's create step", () => {
    expect(parseStep(legacyStepText('create', env))).toEqual({
      op: 'create',
      path: 'integ/up-plain',
      registryId: REGISTRY,
      tokenId: TOKEN,
      apiUrl: '',
      spec: { name: 'up-plain', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }], status: 'enabled', expiryDate: null },
      createId: 'create-1',
      adopt: false,
    });
  });

  test('any other of their steps is refused with one line saying to synthesize again', () => {
    expect(() => legacyStepText('update', env)).toThrow('the "update" provisioner was synthesized by an earlier cdktf-ionos-registry-token');
    expect(() => legacyStepText('create', {})).toThrow('no step on stdin');
  });
});
