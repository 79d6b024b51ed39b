/**
 * Upgrading a stack deployed with 0.1 (four `terraform_data` per token, `identity` among them) to
 * today's layout (three): the real engine applies the stack 0.1 synthesized
 * (test/fixtures/layout-0.1), then `cdktf deploy` applies today's synth of the same declaration.
 * The plain token is kept with its password; the rotated one is replaced once (its `create` gains
 * the rotation key), as the README says.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarizePlan } from '../../lib/cli/plan-summary';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, REPO, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'layout-0.1', 'cdk.tf.json');
const OLD_ASSET = 'assets/ionos-registry-token-handler/CA76BC25EE422B8FEDA1673D4E3ADA6D';

function ok(res: RunResult, what: string): RunResult {
  if (res.code !== 0) throw new Error(`${what} failed (${res.code}):\n${res.all.slice(-3000)}`);
  return res;
}

describe.each(engines().map((e) => [e.name, e] as const))('upgrade from the 0.1 layout (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('identity leaves the state without a delete; the plain token keeps its password; destroy still deletes', async () => {
    const ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
    // GIVEN the stack as 0.1 synthesized and deployed it
    fs.mkdirSync(path.join(ws.stackDir, OLD_ASSET), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'dist', 'handler', 'index.js'), path.join(ws.stackDir, OLD_ASSET, 'index.js'));
    fs.writeFileSync(path.join(ws.stackDir, 'cdk.tf.json'), fs.readFileSync(FIXTURE, 'utf8').replace('__STATE_FILE__', ws.stateFile));
    ok(await ws.tf(['init', '-input=false', '-no-color']), 'init');
    ok(await ws.tf(['apply', '-auto-approve', '-input=false', '-no-color']), 'apply of the 0.1 layout');
    expect(ws.state().resources.filter((r) => r.name.includes('_identity_'))).toHaveLength(2);
    const before = { plain: ws.outputValue('up-plain_password'), rotated: ws.outputValue('up-rotated_password') };
    const ids = (await emu.listTokens()).map((t) => `${t.properties.name} ${t.id}`).sort();
    expect(ids).toHaveLength(2);
    expect(await emu.login(emu.registryId, 'up-plain', before.plain)).toBe(true);

    // WHEN today's library synthesizes the same declaration and plans it
    const tokens: TokenDecl[] = [
      { id: 'up-plain', registryId: emu.registryId, name: 'up-plain', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }] },
      { id: 'up-rotated', registryId: emu.registryId, name: 'up-rotated', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotationTrigger: '2025-01', status: 'disabled' } as TokenDecl,
    ];
    ws.declare(tokens);
    ok(await ws.cdktf(['synth']), 'synth');
    ok(await ws.tf(['plan', '-input=false', '-no-color', '-out=upgrade.plan']), 'plan');
    const shown = ok(await ws.tf(['show', '-json', 'upgrade.plan']), 'show');
    const summary = summarizePlan(JSON.parse(shown.stdout));
    const byName = Object.fromEntries(summary.tokens.map((t) => [t.name, t]));
    expect(byName['up-plain']).toMatchObject({ action: 'other', calls: [], password: 'unchanged' });
    expect(byName['up-plain'].line).toMatch(/layout upgrade \(0\.2\).*the token is kept/);
    expect(byName['up-rotated']).toMatchObject({ calls: ['PUT', 'DELETE', 'PUT'], password: 'new' });

    // ... and deploys it
    await emu.clearRequests();
    ok(await ws.deploy(), 'deploy of the 0.2 layout');

    // THEN no identity is left, the plain token was not touched and keeps its password
    expect(ws.state().resources.filter((r) => r.name.includes('_identity_'))).toEqual([]);
    expect(ws.state().resources).toHaveLength(6);
    expect(ws.outputValue('up-plain_password')).toBe(before.plain);
    expect(await emu.login(emu.registryId, 'up-plain', before.plain)).toBe(true);
    const calls = (await emu.requests()).map((r) => `${r.method} ${r.path.includes('up-') ? '' : ''}`.trim());
    expect(calls.filter((c) => c === 'DELETE')).toHaveLength(1); // the rotated token's re-create, never the plain one
    expect((await emu.listTokens()).map((t) => `${t.properties.name} ${t.id}`).sort()).toEqual(ids);
    const rotated = ws.outputValue('up-rotated_password');
    expect(rotated).not.toBe(before.rotated);
    expect(rotated).toMatch(/^.{20,}$/);
    // a second deploy is a no-op
    expect(ok(await ws.deploy(), 'a second deploy').all).toMatch(/No changes/);

    // AND destroy deletes both tokens through the password resources
    ok(await ws.destroy(), 'destroy');
    expect(await emu.listTokens()).toEqual([]);
    ws.cleanup();
  });
});
