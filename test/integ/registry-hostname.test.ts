/**
 * lookupRegistryHostname, end to end (docs/design/registry-hostname.md): the real `cdktf deploy` and
 * engine against the real emulator. A token without registryHostname gets a Docker config JSON whose
 * host the create read from the API and whose `auth` logs in; a no-op deploy calls nothing; a failed
 * lookup creates nothing and the next deploy recovers; opting in on an existing token stops the plan.
 */
import { RunningEmulator, startEmulator } from '../helper/emulator';
import { engines, RunResult, TokenDecl, Workspace } from '../helper/workspace';

jest.setTimeout(15 * 60 * 1000);

const creds = { IONOS_USERNAME: 'emulator', IONOS_PASSWORD: 'emulator' };
const scopes = [{ type: 'repository', name: 'app/*', actions: ['pull'] }];

/** The output's text without colours, on one line per line. */
const plain = (res: RunResult): string => res.all.replace(/\x1b\[[0-9;]*m/g, '');

describe.each(engines().map((e) => [e.name, e] as const))('lookupRegistryHostname with %s', (_name, engine) => {
  let emu: RunningEmulator;
  let ws: Workspace;
  let hostname: string;
  let registryPath: string;
  let declared: TokenDecl[];

  async function deploy(): Promise<RunResult> {
    const res = await ws.deploy();
    if (res.code !== 0) throw new Error(`cdktf deploy failed (${res.code}):\n${res.all.slice(-4000)}`);
    return res;
  }

  async function calls(): Promise<string[]> {
    return (await emu.requests()).map((r) => `${r.method} ${r.path === registryPath ? 'registry' : r.path.slice(registryPath.length + 1)} ${r.status}`);
  }

  /** The Docker config JSON output of `id`, its one host's entry, and a login with its `auth`. */
  async function dockerLogin(id: string, name: string): Promise<boolean> {
    const config = JSON.parse(ws.outputValue(`${id}_docker_config_json`)) as { auths: Record<string, { username: string; password: string; auth: string }> };
    expect(Object.keys(config.auths)).toEqual([hostname]);
    const entry = config.auths[hostname];
    const [user, ...rest] = Buffer.from(entry.auth, 'base64').toString('utf8').split(':');
    expect(user).toBe(name);
    expect(entry.password).toBe(ws.outputValue(`${id}_password`));
    return emu.login(emu.registryId, user, rest.join(':'));
  }

  function set(id: string, patch: Partial<TokenDecl>): void {
    declared = declared.map((t) => (t.id === id ? { ...t, ...patch } : t));
    ws.declare(declared);
  }

  beforeAll(async () => {
    emu = await startEmulator();
    // The ready line names each registry's hostname, in the order of the ids.
    hostname = /\(hostname ([^,)]+)/.exec(emu.stdout)![1];
    registryPath = `/containerregistries/registries/${emu.registryId}`;
    ws = new Workspace(engine, { ...creds, IONOS_API_URL: emu.apiUrl });
    declared = [
      { id: 'pull', registryId: emu.registryId, name: 'k8s-pull', scopes, lookupRegistryHostname: true },
      { id: 'plain', registryId: emu.registryId, name: 'plain-pull', scopes },
    ];
    ws.declare(declared);
  });

  afterAll(async () => {
    await emu?.stop();
    ws?.cleanup();
  });

  test('a token without registryHostname: the create reads the hostname (GET registry, GET, PUT) and the Docker config logs in', async () => {
    await deploy();
    const log = await calls();
    const id = (await emu.listTokens()).find((t) => t.properties.name === 'k8s-pull')!.id;
    expect(log.filter((c) => c.startsWith('GET registry') || c.includes(id))).toEqual(['GET registry 200', `GET tokens/${id} 404`, `PUT tokens/${id} 201`]);
    // the other token does not read the registry
    expect(log.filter((c) => c.startsWith('GET registry'))).toHaveLength(1);
    expect(await dockerLogin('pull', 'k8s-pull')).toBe(true);
  });

  test('deploying again changes nothing and makes zero API calls', async () => {
    await emu.clearRequests();
    const res = await deploy();
    expect(res.all).toMatch(/No changes|0 added, 0 changed, 0 destroyed/);
    expect(await calls()).toEqual([]);
    expect(await dockerLogin('pull', 'k8s-pull')).toBe(true);
  });

  test('fails if the lookup fails: one line, nothing created; the next deploy creates the token with its hostname', async () => {
    // GIVEN a new token whose registry read keeps failing
    declared = [...declared, { id: 'ci', registryId: emu.registryId, name: 'ci-pull', scopes, lookupRegistryHostname: true }];
    ws.declare(declared);
    await emu.addFault({ method: 'GET', path: `^${registryPath}$`, status: 503, times: 50 });
    await emu.clearRequests();
    // WHEN
    const res = await ws.deploy();
    // THEN
    expect(res.code).not.toBe(0);
    const line = plain(res).split('\n').find((l) => /registry-token: create failed: integ\/ci:/.test(l));
    expect(line).toMatch(
      /registry-token: create failed: integ\/ci: token "ci-pull" \(id [0-9a-f-]{36}, registry [0-9a-f-]{36}\): the registry's hostname could not be read \(lookupRegistryHostname\), so the token was not created: GET registry [0-9a-f-]{36}: HTTP 503 .*\(gave up after \d+ attempts.*\); the API is unavailable or busy: run the deploy again, or set registryHostname instead of lookupRegistryHostname/,
    );
    expect((await calls()).filter((c) => !c.startsWith('GET registry'))).toEqual([]);
    expect((await emu.listTokens()).map((t) => t.properties.name).sort()).toEqual(['k8s-pull', 'plain-pull']);
    // the next deploy, the API back
    await emu.clearFaults();
    await deploy();
    expect(await dockerLogin('ci', 'ci-pull')).toBe(true);
    expect(await dockerLogin('pull', 'k8s-pull')).toBe(true);
  });

  test('fails if opted in on a token that exists: the plan stops, with no API call, until the token is rotated', async () => {
    // GIVEN a token created without the lookup
    const before = ws.outputValue('plain_password');
    set('plain', { lookupRegistryHostname: true });
    await emu.clearRequests();
    // WHEN
    const res = await ws.deploy();
    // THEN
    expect(res.code).not.toBe(0);
    expect(plain(res).replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ')).toContain(
      `integ/plain: the registry's hostname of token "plain-pull" is unknown: lookupRegistryHostname reads it when the token is created, and this token was created before it was set`,
    );
    expect(await calls()).toEqual([]);
    expect(await emu.login(emu.registryId, 'plain-pull', before)).toBe(true);
    // a rotation reads it
    set('plain', { rotationTrigger: '2026-11' });
    await deploy();
    expect(ws.outputValue('plain_password')).not.toBe(before);
    expect(await dockerLogin('plain', 'plain-pull')).toBe(true);
  });
});
