/** EmulatorServer in-process (the API the CLI wraps): start, serve, close flushes the state file. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGISTRY_ID, EmulatorServer, StateFileError } from '../../lib/emulator';
import { expectShape } from './support';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emulator-server-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('start on port 0 with custom credentials, serve, close flushes the state', async () => {
  // GIVEN
  const stateFile = join(dir, 'state.json');
  const server = await EmulatorServer.start({ port: 0, users: [{ username: 'u', password: 'p' }], stateFile });
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(server.registryIds).toEqual([DEFAULT_REGISTRY_ID]);
  // WHEN
  const auth = `Basic ${Buffer.from('u:p').toString('base64')}`;
  const res = await fetch(`${server.url}/containerregistries/registries/${DEFAULT_REGISTRY_ID}/tokens`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ properties: { name: 'in-process', scopes: [{ type: 'registry', name: '*', actions: ['pull'] }] } }),
  });
  expect(res.status).toBe(201);
  expectShape('PostTokenOutput', await res.json());
  await server.close();
  await server.close(); // twice is fine
  // THEN
  expect(statSync(stateFile).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(stateFile, 'utf8')).tokens[0].name).toBe('in-process');
  await expect(fetch(`${server.url}/containerregistries/registries`)).rejects.toThrow();
});

test('fails with a StateFileError on a corrupt state file', async () => {
  const stateFile = join(dir, 'state.json');
  writeFileSync(stateFile, 'garbage');
  await expect(EmulatorServer.start({ stateFile })).rejects.toThrow(StateFileError);
});

test('refuses a non-loopback host with the default credentials, before binding', async () => {
  await expect(EmulatorServer.start({ host: '0.0.0.0' })).rejects.toThrow(/^--host 0\.0\.0\.0 is not a loopback address: refusing to serve the well-known default credentials/);
});

test('exposes each registry hostname next to its id', async () => {
  const other = '11111111-2222-4333-8444-555555555555';
  const server = await EmulatorServer.start({ registryIds: [other, DEFAULT_REGISTRY_ID] });
  try {
    expect(server.registryHostnames).toEqual(['registry-11111111.cr.de-fra.ionos.com', 'registry-5b2a4e1c.cr.de-fra.ionos.com']);
  } finally {
    await server.close();
  }
});

test('fails on bad options', async () => {
  await expect(EmulatorServer.start({ registryIds: ['nope'] })).rejects.toThrow('registry "nope" must be a uuid');
  await expect(EmulatorServer.start({ port: 70000 })).rejects.toThrow('port 70000 must be an integer from 0 to 65535');
});
