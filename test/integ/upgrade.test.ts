/**
 * Upgrading a stack deployed with an earlier layout to today's (two `terraform_data` per token and
 * one per stack): the real engine applies the stack as the old version synthesized it
 * (test/fixtures/layout-0.x/cdk.tf.json), with the handler that version shipped
 * (test/fixtures/layout-0.x/handler/, bundled from its release commit), then `cdktf deploy` applies
 * today's synth of the same declaration with today's handler.
 * - from 0.1 (four per token, `identity` among them): the plain token is kept with its password; the
 *   rotated one is replaced once (its `create` gains the rotation key), as the README says;
 * - from 0.2 (three per token, `spec` among them): both are kept with their passwords; the new specs
 *   resource checks each once (a GET) and changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { summarizePlan } from '../../lib/cli/plan-summary';
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { Engine, engines, ok, REPO, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(10 * 60 * 1000);

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'layout-0.1', 'cdk.tf.json');
const OLD_ASSET = 'assets/ionos-registry-token-handler/CA76BC25EE422B8FEDA1673D4E3ADA6D';
const FIXTURE_02 = path.join(REPO, 'test', 'fixtures', 'layout-0.2', 'cdk.tf.json');
const OLD_ASSET_02 = 'assets/ionos-registry-token-handler/F548CF72D399625A3E872B5FEE85FF41';


describe.each(engines().map((e) => [e.name, e] as const))('upgrade from earlier layouts (%s)', (_name, engine) => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('from 0.1: identity leaves the state without a delete; the plain token keeps its password; destroy still deletes', async () => {
    // GIVEN the stack as 0.1 synthesized and deployed it
    const { ws, before, ids } = await deployedAsOld(engine, emu, FIXTURE, OLD_ASSET, ['index.js'], '0.1');
    expect(ws.state().resources.filter((r) => r.name.includes('_identity_'))).toHaveLength(2);
    expect(ids).toHaveLength(2);
    expect(await emu.login(emu.registryId, 'up-plain', before.plain)).toBe(true);

    // WHEN today's library synthesizes the same declaration and plans it
    ws.declare(declaration(emu));
    ok(await ws.cdktf(['synth']), 'synth');
    ok(await ws.tf(['plan', '-input=false', '-no-color', '-out=upgrade.plan']), 'plan');
    const shown = ok(await ws.tf(['show', '-json', 'upgrade.plan']), 'show');
    const summary = summarizePlan(JSON.parse(shown.stdout));
    const byName = Object.fromEntries(summary.tokens.map((t) => [t.name, t]));
    expect(byName['up-plain']).toMatchObject({ action: 'other', calls: [], password: 'unchanged' });
    expect(byName['up-plain'].line).toMatch(/layout upgrade \(0\.2\).*the token is kept/);
    expect(byName['up-rotated']).toMatchObject({ calls: ['GET', 'DELETE', 'PUT'], password: 'new' });

    // ... and deploys it
    await emu.clearRequests();
    ok(await ws.deploy(), "deploy of today's layout");

    // THEN no identity is left, the plain token was not touched and keeps its password
    expect(ws.state().resources.filter((r) => r.name.includes('_identity_'))).toEqual([]);
    expect(ws.state().resources).toHaveLength(5);
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

  test('from 0.2: the per-token spec resources leave the state; both tokens are kept with their passwords; one GET each', async () => {
    await emu.reset();
    // GIVEN the stack as 0.2 synthesized and deployed it
    const { ws, before, ids } = await deployedAsOld(engine, emu, FIXTURE_02, OLD_ASSET_02, ['index.js', 'run.sh'], '0.2');
    expect(ws.state().resources.filter((r) => r.name.includes('_spec_'))).toHaveLength(2);

    // WHEN today's library synthesizes the same declaration and plans it
    ws.declare(declaration(emu));
    ok(await ws.cdktf(['synth']), 'synth');
    ok(await ws.tf(['plan', '-input=false', '-no-color', '-out=upgrade.plan']), 'plan');
    const summary = summarizePlan(JSON.parse(ok(await ws.tf(['show', '-json', 'upgrade.plan']), 'show').stdout));
    expect(summary.tokens.map((t) => [t.name, t.calls, t.password])).toEqual([
      ['up-plain', ['GET'], 'unchanged'],
      ['up-rotated', ['GET'], 'unchanged'],
    ]);
    expect(summary.tokens[0].line).toMatch(/layout upgrade \(0\.3\)/);
    // ... and deploys it
    await emu.clearRequests();
    ok(await ws.deploy(), "deploy of today's layout");

    // THEN one specs resource instead of two spec resources; nothing changed but one read each
    expect(ws.state().resources.map((r) => r.name.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual([
      'registry-token-specs',
      'up-plain_create',
      'up-plain_password',
      'up-rotated_create',
      'up-rotated_password',
    ]);
    expect((await emu.requests()).map((r) => r.method)).toEqual(['GET', 'GET']);
    expect((await emu.listTokens()).map((t) => `${t.properties.name} ${t.id}`).sort()).toEqual(ids);
    expect({ plain: ws.outputValue('up-plain_password'), rotated: ws.outputValue('up-rotated_password') }).toEqual(before);
    expect(await emu.login(emu.registryId, 'up-plain', before.plain)).toBe(true);
    expect(ok(await ws.deploy(), 'a second deploy').all).toMatch(/No changes/);
    ok(await ws.destroy(), 'destroy');
    expect(await emu.listTokens()).toEqual([]);
    ws.cleanup();
  });
});

/**
 * A workspace holding a stack as an earlier version synthesized it (its handler asset filled with
 * today's bundle), applied by the real engine: the passwords and token ids it got.
 */
async function deployedAsOld(engine: Engine, emu: RunningEmulator, fixture: string, asset: string, files: string[], version: string) {
  const ws = new Workspace(engine, { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator', IONOS_API_URL: emu.apiUrl });
  fs.mkdirSync(path.join(ws.stackDir, asset), { recursive: true });
  const handler = path.join(path.dirname(fixture), 'handler'); // the bundle that version shipped
  for (const f of files) fs.copyFileSync(path.join(handler, f), path.join(ws.stackDir, asset, f));
  fs.writeFileSync(path.join(ws.stackDir, 'cdk.tf.json'), fs.readFileSync(fixture, 'utf8').replace('__STATE_FILE__', ws.stateFile));
  ok(await ws.tf(['init', '-input=false', '-no-color']), 'init');
  ok(await ws.tf(['apply', '-auto-approve', '-input=false', '-no-color']), `apply of the ${version} layout`);
  const before = { plain: ws.outputValue('up-plain_password'), rotated: ws.outputValue('up-rotated_password') };
  const ids = (await emu.listTokens()).map((t) => `${t.properties.name} ${t.id}`).sort();
  return { ws, before, ids };
}

function declaration(emu: RunningEmulator): TokenDecl[] {
  return [
    { id: 'up-plain', registryId: emu.registryId, name: 'up-plain', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }] },
    { id: 'up-rotated', registryId: emu.registryId, name: 'up-rotated', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], rotationTrigger: '2025-01', status: 'disabled' } as TokenDecl,
  ];
}
