/**
 * Trust, played by the attacker with the real engine and the emulator (docs/security.md):
 * - a second workspace of the same stack never writes to the first one's token, even when the API
 *   answers its first call with a transient error;
 * - user text (props, construct paths) reaches the state exactly as written and is never evaluated;
 *   a hostile reference cannot make the plan print another token's password;
 * - a bad value known only at plan is refused by the plan, before any token is touched.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(20 * 60 * 1000);

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu?.stop();
});

const auth = () => ({ IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl, IONOS_REGISTRY_TOKEN_MAX_ATTEMPTS: '3' });
const plain = (res: RunResult) => res.all.replace(/\x1b\[[0-9;]*m/g, '');
const writes = (log: { method: string }[]) => log.filter((r) => r.method !== 'GET');

function resource(ws: Workspace, part: string): any {
  const r = ws.state().resources.find((x: any) => x.type === 'terraform_data' && x.name.includes(part));
  if (!r) throw new Error(`no resource *${part}* in the state`);
  return r.instances[0].attributes;
}

describe.each(engines())('trust ($name)', (engine) => {
  const made: Workspace[] = [];
  const workspace = (stack: string) => {
    const ws = new Workspace(engine, auth(), stack);
    made.push(ws);
    return ws;
  };
  beforeEach(() => emu.reset());
  afterAll(() => made.forEach((ws) => ws.cleanup()));

  describe('a second workspace of the same stack', () => {
    const token = (scope: string): TokenDecl => ({ id: 'ci-shared', registryId: emu.registryId, name: 'ci-shared', scopes: [{ type: 'repository', name: scope, actions: ['pull'] }] });

    test.each([
      ['no fault', undefined],
      ['a 429 on its first write', { method: 'PUT', status: 429, times: 1 }],
      ['a 503 on its first call', { status: 503, times: 1 }],
    ])('never writes to the first one\'s token (%s): one line, and A keeps scopes and password', async (_what, fault) => {
      // GIVEN workspace A deployed the token with scope app/*
      const a = workspace('shared');
      a.declare([token('app/*')]);
      expect((await a.deploy()).code).toBe(0);
      const password = a.outputValue('ci-shared_password');
      const before = (await emu.listTokens())[0];
      // WHEN workspace B (same stack, its own state) deploys the same token with scope *
      const b = workspace('shared');
      b.declare([token('*')]);
      await emu.clearRequests();
      if (fault) await emu.addFault(fault);
      const res = await b.deploy();
      // THEN B fails with one line naming the token and the way out, and wrote nothing
      expect(res.code).not.toBe(0);
      expect(writes(await emu.requests())).toEqual([]);
      const after = (await emu.listTokens())[0];
      expect(after.properties.scopes).toEqual(before.properties.scopes);
      expect(after.metadata.createdDate).toBe(before.metadata.createdDate);
      expect(await emu.login(emu.registryId, 'ci-shared', password)).toBe(true);
      const line = plain(res).split('\n').find((l) => l.includes('no record of creating it'));
      expect(line).toMatch(/ci-shared.*nothing was changed.*IONOS_REGISTRY_TOKEN_TAKE_OVER=/);
      // AND B's destroy deletes nothing of A's
      expect((await b.destroy()).code).toBe(0);
      expect(writes(await emu.requests())).toEqual([]);
      expect(await emu.login(emu.registryId, 'ci-shared', password)).toBe(true);
    });
  });

  describe('user text is text', () => {
    const hostile = ['${path.cwd}', '%{ if true }x%{ endif }', '$${y}', '%%{z}'];
    const text = hostile.join('|');

    test('props and construct paths reach the state and the handler exactly as written', async () => {
      // GIVEN a node executable whose path holds template syntax, and hostile text in a construct
      // id and the rotation trigger
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-node-'));
      const nodeDir = path.join(bin, 'n${path.cwd}%{x}');
      fs.mkdirSync(nodeDir);
      fs.symlinkSync(process.execPath, path.join(nodeDir, 'node'));
      const id = `t-${hostile.join('-')}`;
      const ws = workspace('literal');
      ws.declare([
        { id, registryId: emu.registryId, name: 'lit-a', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotationTrigger: text, nodeExecutable: path.join(nodeDir, 'node') },
      ]);
      // WHEN it is deployed
      const res = await ws.deploy();
      expect(res.code).toBe(0);
      // THEN every value in the state is the text as written
      expect(resource(ws, '_create_').triggers_replace.value.rotation).toBe(text);
      const identity = JSON.parse(resource(ws, '_password_').input.value);
      expect(identity.path).toBe(`literal/${id}`);
      expect(Object.keys(resource(ws, 'registry-token-specs').triggers_replace.value.tokens)).toEqual([`literal/${id}`]);
      // AND the token lives, and its password logs in
      const out = Object.keys(ws.state().outputs).find((k) => k.endsWith('_password'))!;
      expect(await emu.login(emu.registryId, 'lit-a', ws.outputValue(out))).toBe(true);
      // AND a rotation trigger changed to other hostile text rotates exactly once, then is a no-op
      ws.declare([
        { id, registryId: emu.registryId, name: 'lit-a', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotationTrigger: `${text}!`, nodeExecutable: path.join(nodeDir, 'node') },
      ]);
      expect((await ws.deploy()).code).toBe(0);
      await emu.clearRequests();
      expect((await ws.deploy()).code).toBe(0);
      expect(await emu.requests()).toEqual([]);
      fs.rmSync(bin, { recursive: true, force: true });
    });

    test('a reference to another token\'s password in a prop stays text: the plan never prints it', async () => {
      // GIVEN a deployed token
      const ws = workspace('leak');
      const victim: TokenDecl = { id: 'victim', registryId: emu.registryId, name: 'victim', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] };
      ws.declare([victim]);
      expect((await ws.deploy()).code).toBe(0);
      const secret = ws.outputValue('victim_password');
      const address = ws.state().resources.find((r: any) => r.name.startsWith('victim_password_')).name;
      const attack = `\${nonsensitive(terraform_data.${address}.triggers_replace)}`;
      // WHEN a second token's rotation trigger names it, and the plan is shown
      ws.declare([victim, { id: 'thief', registryId: emu.registryId, name: 'thief', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotationTrigger: attack }]);
      const synth = await ws.cdktf(['synth']);
      expect(synth.code).toBe(0);
      const plan = await ws.tf(['plan', '-input=false', '-no-color']);
      // THEN the plan shows the text, never the password
      expect(plan.code).toBe(0);
      expect(plan.all).not.toContain(secret);
      expect(plan.all).toContain('nonsensitive(terraform_data.');
      // AND a scope name holding it is refused at synth, in one line stating the API's rule
      ws.declare([victim, { id: 'thief', registryId: emu.registryId, name: 'thief', scopes: [{ type: 'repository', name: attack, actions: ['pull'] }] }]);
      const refused = await ws.cdktf(['synth']);
      expect(refused.code).not.toBe(0);
      expect(plain(refused)).toMatch(/leak\/thief: scopes\[0\]\.name ".*" must be a repository path of a-z, 0-9/);
      expect(refused.all).not.toContain(secret);
    });
  });

  describe('a bad value known only at plan', () => {
    test('is refused by the plan, in the construct\'s words, before any token is touched', async () => {
      // GIVEN two live tokens whose registry comes from a variable
      const ws = workspace('refuse');
      const decl = (registryId: string): TokenDecl[] =>
        ['one', 'two'].map((n) => ({ id: n, registryId, name: `refuse-${n}`, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], viaVariable: ['registryId'] }));
      ws.declare(decl(emu.registryId));
      expect((await ws.deploy()).code).toBe(0);
      const passwords = ['one', 'two'].map((n) => ws.outputValue(`${n}_password`));
      await emu.clearRequests();
      // WHEN the variable is one character short
      ws.declare(decl(emu.registryId.slice(0, -1)));
      const res = await ws.deploy();
      // THEN the plan refuses it: one line with path, prop, value and rule, and no API call was made
      expect(res.code).not.toBe(0);
      expect(plain(res)).toContain(`refuse/one: registryId "${emu.registryId.slice(0, -1)}" must be a uuid`);
      expect(await emu.requests()).toEqual([]);
      for (const [i, n] of ['one', 'two'].entries()) expect(await emu.login(emu.registryId, `refuse-${n}`, passwords[i])).toBe(true);
    });

    test('an adoptTokenId that is no uuid is refused by the plan', async () => {
      const ws = workspace('adoptbad');
      ws.declare([{ id: 'ad', registryId: emu.registryId, name: 'adopt-bad', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], adoptTokenId: '../../x', viaVariable: ['adoptTokenId'] }]);
      const res = await ws.deploy();
      expect(res.code).not.toBe(0);
      expect(plain(res)).toContain('adoptbad/ad: adoptTokenId "../../x" must be a uuid');
      expect(await emu.requests()).toEqual([]);
    });
  });
});
