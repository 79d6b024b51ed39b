import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApiTokenResponse } from '../../lib/api-types';
import { compare, driftExitCode, DriftResult, HintContext, renderDrift, replaceCommandOf, taintedResult, withExpiry } from '../../lib/cli/drift';
import { main } from '../../lib/cli/main';
import { readLayout } from '../../lib/cli/resources';
import { StateToken, tokensFromState } from '../../lib/cli/state';
import { HOSTILE, paste } from './sh';

const STATES = path.join(__dirname, '..', 'fixtures', 'states');
const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';

const token: StateToken = {
  path: 'prod/ci-push',
  name: 'ci-push',
  registryId: REGISTRY,
  tokenId: '224ac587-fe56-5621-9e33-3c1be2ffe12b',
  apiUrl: '',
  adopted: false,
  identityAddress: 'terraform_data.ci-push_identity_4EBC8E42',
  spec: { status: 'enabled', expiry: 'never', scopes: ['repository app/* pull,push'] },
  source: 'test',
};

function live(props: Partial<ApiTokenResponse['properties']> = {}): ApiTokenResponse {
  return {
    id: token.tokenId,
    properties: { name: 'ci-push', status: 'enabled', expiryDate: null, scopes: [{ type: 'repository', name: 'app/*', actions: ['push', 'pull'] }], ...props },
  } as ApiTokenResponse;
}

describe('compare', () => {
  test('as declared (scope and action order do not matter)', () => {
    expect(compare(token, live())).toMatchObject({ state: 'ok', stack: 'prod', differences: [], line: 'ok ci-push (stack prod)' });
  });

  test('status changed: drift, fixed by PATCH', () => {
    expect(compare(token, live({ status: 'disabled' }))).toMatchObject({
      state: 'drift',
      fix: 'PATCH',
      differences: [{ field: 'status', live: 'disabled', declared: 'enabled' }],
      line: 'drift ci-push (stack prod): status is disabled, declared enabled (--fix: PATCH, password kept)',
    });
  });

  test('expiry set in the console: drift, PATCH; the same instant in another zone is no drift', () => {
    expect(compare(token, live({ expiryDate: '2030-01-01T00:00:00Z' })).line).toBe('drift ci-push (stack prod): expiry is 2030-01-01T00:00:00Z, declared never (--fix: PATCH, password kept)');
    const withExpiry = { ...token, spec: { ...token.spec, expiry: '2030-01-01T00:00:00Z' } };
    expect(compare(withExpiry, live({ expiryDate: '2030-01-01T01:00:00+01:00' })).state).toBe('ok');
  });

  test('scopes changed: drift, fixed by PUT', () => {
    const r = compare(token, live({ scopes: [{ type: 'registry', name: '*', actions: ['pull'] }] }));
    expect(r).toMatchObject({ state: 'drift', fix: 'PUT' });
    expect(r.line).toBe('drift ci-push (stack prod): scopes are registry * pull, declared repository app/* pull,push (--fix: PUT, password kept)');
  });

  test('gone: reported with the command that re-creates it (cdktf/cdktn deploy have no -replace); an expired one says so', () => {
    expect(compare(token, undefined).line).toBe(
      'gone ci-push (stack prod): token 224ac587-fe56-5621-9e33-3c1be2ffe12b no longer exists (deleted outside the stack, or expired); not re-created: ' +
        'to create it again with a new password, run: terraform -chdir=cdktf.out/stacks/prod apply -replace=terraform_data.ci-push_identity_4EBC8E42',
    );
    const expiring = { ...token, spec: { ...token.spec, expiry: '2020-01-01T00:00:00Z' } };
    expect(compare(expiring, undefined).line).toContain('no longer exists (its expiry 2020-01-01T00:00:00Z has passed)');
  });

  test('another name at the id cannot be fixed', () => {
    const r = compare(token, live({ name: 'other' }));
    expect(r.state).toBe('renamed');
    expect(r.fix).toBeUndefined();
  });
});

describe('exit codes and rendering', () => {
  const r = (state: DriftResult['state']): DriftResult => ({ ...compare(token, live()), state });
  test('0 as declared or fixed, 2 drift/gone/renamed, 1 any error', () => {
    expect(driftExitCode([r('ok'), r('fixed')])).toBe(0);
    expect(driftExitCode([r('ok'), r('drift')])).toBe(2);
    expect(driftExitCode([r('gone')])).toBe(2);
    expect(driftExitCode([r('renamed')])).toBe(2);
    expect(driftExitCode([r('drift'), r('error')])).toBe(1);
  });

  test('text lists only what is not as declared, then a count', () => {
    const results = [compare(token, live()), compare(token, live({ status: 'disabled' }))];
    expect(renderDrift(results, 'text')).toBe('drift ci-push (stack prod): status is disabled, declared enabled (--fix: PATCH, password kept)\nchecked 2 tokens of stack prod: 1 drifted, 1 as declared\n');
    expect(JSON.parse(renderDrift(results, 'json'))).toMatchObject({ format: 'registry-token-drift/1', exitCode: 2, tokens: [{ stack: 'prod' }, { stack: 'prod' }] });
    expect(renderDrift(results, 'markdown')).toContain('#### Registry token drift: checked 2 tokens of stack prod: 1 drifted, 1 as declared\n');
    expect(renderDrift(results, 'markdown')).toContain('| `ci-push` (prod/ci-push) | drift |');
  });

  test('tokens of several stacks: each line names its stack, the count names them all', () => {
    const staging = { ...token, path: 'staging/ci-push' };
    const results = [compare(token, live({ status: 'disabled' })), compare(staging, live({ status: 'disabled' }))];
    expect(renderDrift(results, 'text').split('\n')).toEqual([
      'drift ci-push (stack prod): status is disabled, declared enabled (--fix: PATCH, password kept)',
      'drift ci-push (stack staging): status is disabled, declared enabled (--fix: PATCH, password kept)',
      'checked 2 tokens of stacks prod, staging: 2 drifted, 0 as declared',
      '',
    ]);
  });
});

describe('reading the state', () => {
  test('a raw .tfstate and "terraform show -json" give the same tokens', () => {
    const raw = tokensFromState(JSON.parse(fs.readFileSync(path.join(STATES, 'raw-state.json'), 'utf8')), 'raw');
    const shown = tokensFromState(JSON.parse(fs.readFileSync(path.join(STATES, 'show.json'), 'utf8')), 'shown');
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatchObject({
      path: 'integ/ci-push',
      name: 'ci-push',
      registryId: REGISTRY,
      tokenId: '224ac587-fe56-5621-9e33-3c1be2ffe12b',
      identityAddress: 'terraform_data.ci-push_identity_4EBC8E42',
      spec: { status: 'enabled', expiry: 'never', scopes: ['repository app/* pull,push'] },
    });
    expect(shown.map(({ source: _s, ...t }) => t)).toEqual(raw.map(({ source: _s, ...t }) => t));
  });

  test('the 0.2 layout: the identity from password.input, the -replace hint names create', () => {
    const attrs = (o: object) => ({ mode: 'managed', type: 'terraform_data', instances: [{ attributes: o }] });
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const state = {
      version: 4,
      resources: [
        { ...attrs({ id: 'c', triggers_replace: dyn({ token_id: '224ac587-fe56-5621-9e33-3c1be2ffe12b', rotation: '2025-06' }) }), name: 'ci-push_create_11111111' },
        {
          ...attrs({
            id: 'p',
            triggers_replace: dyn('secret'),
            input: dyn({ registry_id: REGISTRY, token_id: '224ac587-fe56-5621-9e33-3c1be2ffe12b', name: 'ci-push', path: 'prod/ci-push', api_url: '', adopt: 'true' }),
          }),
          name: 'ci-push_password_22222222',
        },
        { ...attrs({ id: 's', triggers_replace: dyn({ status: 'disabled', expiry_date: 'never', scopes: ['repository app/* pull'] }) }), name: 'ci-push_spec_33333333' },
      ],
    };
    expect(tokensFromState(state, 'raw')).toEqual([
      {
        path: 'prod/ci-push',
        name: 'ci-push',
        registryId: REGISTRY,
        tokenId: '224ac587-fe56-5621-9e33-3c1be2ffe12b',
        apiUrl: '',
        adopted: true,
        identityAddress: 'terraform_data.ci-push_create_11111111',
        spec: { status: 'disabled', expiry: 'never', scopes: ['repository app/* pull'] },
        source: 'raw',
      },
    ]);
  });

  test("the 0.3 layout: the spec is the token's entry in its module's specs resource", () => {
    const attrs = (o: object) => ({ mode: 'managed', type: 'terraform_data', instances: [{ attributes: o }] });
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const id = '224ac587-fe56-5621-9e33-3c1be2ffe12b';
    const identity = JSON.stringify({ registry_id: REGISTRY, token_id: id, name: 'ci-push', path: 'prod/ci-push', api_url: '' });
    const entry = { name: 'ci-push', status: 'disabled', expiry_date: 'never', scopes: ['repository app/* pull'], token_id: id, registry_id: REGISTRY };
    const inModule = (r: object) => ({ ...r, module: 'module.m' });
    const state = {
      version: 4,
      resources: [
        { ...attrs({ id: 'c', triggers_replace: dyn({ token_id: id }) }), name: 'ci-push_create_11111111' },
        { ...attrs({ id: 'p', triggers_replace: dyn('secret'), input: dyn(identity) }), name: 'ci-push_password_22222222' },
        { ...attrs({ id: 's', triggers_replace: dyn({ tokens: { 'prod/ci-push': entry }, creates: 'x' }) }), name: 'registry-token-specs' },
        // the same names in a module: another token, with the module's own specs resource
        inModule({ ...attrs({ id: 'c2', triggers_replace: dyn({ token_id: id }) }), name: 'ci-push_create_11111111' }),
        inModule({ ...attrs({ id: 'p2', triggers_replace: dyn('secret'), input: dyn(identity) }), name: 'ci-push_password_22222222' }),
        inModule({ ...attrs({ id: 's2', triggers_replace: dyn({ tokens: { 'prod/ci-push': { ...entry, status: 'enabled' } } }) }), name: 'registry-token-specs' }),
      ],
    };
    const tokens = tokensFromState(state, 'raw');
    expect(tokens.map((t) => [t.identityAddress, t.spec])).toEqual([
      ['terraform_data.ci-push_create_11111111', { status: 'disabled', expiry: 'never', scopes: ['repository app/* pull'] }],
      ['module.m.terraform_data.ci-push_create_11111111', { status: 'enabled', expiry: 'never', scopes: ['repository app/* pull'] }],
    ]);
  });

  test('the layout reader sorts resources into tokens by module and name prefix, and finds each module\'s specs resource', () => {
    const layout = readLayout([
      { name: 'a_create_11111111', module: '', resource: 1 },
      { name: 'a_password_22222222', module: '', resource: 2 },
      { name: 'a_create_11111111', module: 'module.m', resource: 3 },
      { name: 'registry-token-specs', module: 'module.m', resource: 4 },
      { name: 'not-ours', module: '', resource: 5 },
    ]);
    expect(layout.tokens).toEqual([
      { module: '', prefix: 'a', parts: { create: 1, password: 2 } },
      { module: 'module.m', prefix: 'a', parts: { create: 3 } },
    ]);
    expect([...layout.stackSpecs]).toEqual([['module.m', 4]]);
  });

  test('a plan is refused as a state', () => {
    expect(() => tokensFromState({ format_version: '1.2', resource_changes: [] }, 'x.json')).toThrow('x.json is a plan, not a state');
  });
});

describe('the CLI', () => {
  async function run(argv: string[], env: NodeJS.ProcessEnv = {}, stdin = '') {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: () => stdin });
    return { code, stdout, stderr };
  }

  test('usage and one-line errors, exit 1', async () => {
    expect((await run(['--help'])).code).toBe(0);
    expect(await run(['nope'])).toEqual({ code: 1, stdout: '', stderr: 'registry-token: unknown command "nope": use plan-summary or drift (registry-token --help)\n' });
    expect((await run(['plan-summary'])).stderr).toBe('registry-token: plan-summary takes one plan JSON file (or "-"), got 0\n');
    expect((await run(['plan-summary', 'x.json', '--format', 'html'])).stderr).toBe('registry-token: --format "html" must be text, markdown or json\n');
    expect((await run(['plan-summary', 'x.json', '--fix'])).stderr).toBe('registry-token: --fix is not an option of this command (registry-token --help)\n');
    expect((await run(['drift', '--bogus'])).stderr).toMatch(/^registry-token: Unknown option '--bogus'.*\(registry-token --help\)\n$/);
    expect((await run(['drift', '--stack', '.', '--state', 'x'])).stderr).toBe('registry-token: give --stack or --state, not both\n');
  });

  test('plan-summary reads stdin with "-"', async () => {
    const plan = JSON.stringify({ format_version: '1.2', resource_changes: [] });
    expect(await run(['plan-summary', '-'], {}, plan)).toEqual({ code: 0, stdout: 'no token changes\n', stderr: '' });
  });

  test('drift without credentials: one line, exit 1, no call', async () => {
    const res = await run(['drift', '--state', path.join(STATES, 'raw-state.json')], {});
    expect(res).toEqual({ code: 1, stdout: '', stderr: 'registry-token: no IONOS credentials: set IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD\n' });
  });

  test('drift --stack on a directory without state names the alternatives', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-drift-'));
    try {
      const res = await run(['drift', '--stack', dir], {});
      expect(res.code).toBe(1);
      expect(res.stderr).toBe(
        `registry-token: no terraform.<stack>.tfstate in ${dir}: give the cdktf project directory of a stack with the local backend, a synthesized stack directory (cdktf.out/stacks/<stack>, uses "terraform show -json"), or --state <file|->\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the command a gone token prints works as printed', () => {
  const gone = (t: StateToken, where: HintContext = {}) => compare(t, undefined, new Date(), where).line;
  const commandOf = (line: string) => /, run(?: in [^:]*)?: (.*)$/.exec(line)![1];

  test('the stack directory: beside the state file cdktf keeps in the project dir, else cdktf.out/stacks/<stack> from here', () => {
    const addr = 'terraform_data.ci-push_identity_4EBC8E42';
    expect(replaceCommandOf(token)).toBe(`terraform -chdir=cdktf.out/stacks/prod apply -replace=${addr}`);
    expect(replaceCommandOf({ ...token, source: 'terraform.prod.tfstate' })).toBe(`terraform -chdir=cdktf.out/stacks/prod apply -replace=${addr}`);
    expect(replaceCommandOf({ ...token, source: '../app/terraform.prod.tfstate' })).toBe(`terraform -chdir=../app/cdktf.out/stacks/prod apply -replace=${addr}`);
    // drift --stack <synthesized stack dir>: that very directory; the engine drift ran there
    expect(replaceCommandOf(token, { stackDir: 'out/stacks/prod', env: { TERRAFORM_BINARY_NAME: 'tofu' } })).toBe(`tofu -chdir=out/stacks/prod apply -replace=${addr}`);
  });

  test('a project that deploys with a CDK CLI: its deploy, the -replace in TF_CLI_ARGS_apply, from the project directory', () => {
    const arg = "-replace=terraform_data.'ci-push_identity_4EBC8E42'";
    expect(replaceCommandOf(token, { cli: 'cdktn' })).toBe(`TF_CLI_ARGS_apply="${arg}" cdktn deploy prod`);
    expect(replaceCommandOf({ ...token, source: '../app/terraform.prod.tfstate' }, { cli: 'cdktf' })).toBe(`cd ../app && TF_CLI_ARGS_apply="${arg}" cdktf deploy prod`);
    expect(paste(replaceCommandOf(token, { cli: 'cdktf' }))).toMatchObject({ program: 'cdktf', argv: ['deploy', 'prod'], cliArgs: arg, leftovers: [] });
  });

  test('a state without the construct path: where to run it, and no runnable placeholder', () => {
    const line = gone({ ...token, path: 'ci-push' });
    expect(line).toMatch(/, run in the token's stack directory under cdktf\.out\/stacks: terraform apply -replace=terraform_data\.ci-push_identity_4EBC8E42$/);
    expect(line).not.toMatch(/[<>]/);
  });

  test('one line, with no "deploy with -replace" (cdktf deploy and cdktn deploy have no -replace)', () => {
    const line = gone(token);
    expect(line).not.toContain('\n');
    expect(line).not.toMatch(/deploy with/);
    expect(paste(commandOf(line))).toMatchObject({ argv: ['-chdir=cdktf.out/stacks/prod', 'apply', '-replace=terraform_data.ci-push_identity_4EBC8E42'], leftovers: [], status: 0 });
  });

  test.each(HOSTILE)('stack %j: pasted into sh, the engine gets the literal text and nothing runs', (stack) => {
    const hostile = { ...token, path: `${stack}/ci-push` };
    for (const where of [{}, { stackDir: `cdktf.out/stacks/${stack}` }]) {
      expect(paste(commandOf(gone(hostile, where)))).toMatchObject({
        argv: [`-chdir=cdktf.out/stacks/${stack}`, 'apply', '-replace=terraform_data.ci-push_identity_4EBC8E42'],
        leftovers: [],
        status: 0,
      });
    }
    // The address (a hand-edited state) and the engine's name are quoted too.
    const odd = { ...token, identityAddress: `terraform_data.${stack}` };
    expect(paste(commandOf(gone(odd, { env: { TERRAFORM_BINARY_NAME: 'terraform' } })))).toMatchObject({ argv: ['-chdir=cdktf.out/stacks/prod', 'apply', `-replace=terraform_data.${stack}`], leftovers: [] });
  });
});

describe('drift (the CLI) of a state whose stack name is hostile, against an API where the token is gone', () => {
  let server: http.Server;
  let apiUrl: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(req.method === 'GET' ? 404 : 405, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ httpStatus: 404, messages: [{ errorCode: '404', message: 'not found' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the gone line names the stack, and its command yields the literal stack name and runs nothing', async () => {
    const stack = "x$(touch pwned)`touch pwned`'";
    const id = '224ac587-fe56-5621-9e33-3c1be2ffe12b';
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const attrs = (name: string, o: object) => ({ mode: 'managed', type: 'terraform_data', name, instances: [{ attributes: o }] });
    const entry = { name: 'ci-push', status: 'enabled', expiry_date: 'never', scopes: ['repository app/* pull'], token_id: id, registry_id: REGISTRY };
    const state = {
      version: 4,
      resources: [
        attrs('ci-push_create_11111111', { id: 'c', triggers_replace: dyn({ token_id: id }) }),
        attrs('ci-push_password_22222222', { id: 'p', triggers_replace: dyn('secret-password'), input: dyn(JSON.stringify({ registry_id: REGISTRY, token_id: id, name: 'ci-push', path: `${stack}/ci-push`, api_url: '' })) }),
        attrs('registry-token-specs', { id: 's', triggers_replace: dyn({ tokens: { [`${stack}/ci-push`]: entry } }) }),
      ],
    };
    let stdout = '';
    const code = await main(['drift', '--state', '-'], { IONOS_TOKEN: 'test-token', IONOS_API_URL: apiUrl }, { stdout: (t) => (stdout += t), stderr: () => undefined, readStdin: () => JSON.stringify(state) });
    expect(code).toBe(2);
    const [line, count, end] = stdout.split('\n');
    expect(end).toBe('');
    expect(line).toContain(`gone ci-push (stack ${stack}): token ${id} no longer exists`);
    expect(count).toBe(`checked 1 token of stack ${stack}: 1 gone, 0 as declared`);
    // run here, in a project that depends on cdktn: its deploy, with the -replace in TF_CLI_ARGS_apply
    expect(paste(/, run: (.*)$/.exec(line)![1])).toMatchObject({ program: 'cdktn', argv: ['deploy', stack], cliArgs: "-replace=terraform_data.'ci-push_create_11111111'", leftovers: [], status: 0 });
  });
});

/** A state captured after a failed deploy, then `terraform taint` (fixtures/README.md): ci-a tainted by hand, ci-b as deployed, ci-c only a tainted create. */
describe.each(['terraform', 'tofu'])('drift reports every token a real %s state records, tainted ones included', (engine) => {
  const FIX = path.join(__dirname, 'fixtures');
  const IDS = { a: 'b18d26cc-ad93-5274-89be-b7fde05dd2a7', b: '51921c18-4028-5a46-b699-580031a9dea9', c: '926cf682-53e9-5b91-8885-f9a15fd33876' };

  test('raw state and show -json: three tokens, two of them tainted, ci-c known by its create alone', () => {
    for (const file of [`${engine}-tainted.raw.json`, `${engine}-tainted.show.json`]) {
      const tokens = tokensFromState(JSON.parse(fs.readFileSync(path.join(FIX, file), 'utf8')), file);
      expect(tokens.map((t) => [t.path, t.name, t.tokenId, t.registryId, t.tainted, t.identityAddress])).toEqual([
        ['review/ci-a', 'ci-a', IDS.a, REGISTRY, 'create', 'terraform_data.ci-a_create_45560689'],
        ['review/ci-b', 'ci-b', IDS.b, REGISTRY, undefined, 'terraform_data.ci-b_create_3CCF9BC6'],
        ['review/ci-c', 'ci-c', IDS.c, '', 'uncaptured', 'terraform_data.ci-c_create_867AA525'],
      ]);
    }
  });

  test('the CLI names each of them and its stack, reads what it can, and exits 2 or worse', async () => {
    const server = http.createServer((req, res) => {
      const id = req.url!.split('/').pop()!;
      const name = Object.entries(IDS).find(([, v]) => v === id)?.[0];
      if (req.method !== 'GET' || !name) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ httpStatus: 404, messages: [] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, type: 'token', href: req.url, properties: { name: `ci-${name}`, status: 'enabled', expiryDate: null, scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], credentials: { username: `ci-${name}`, password: '' } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      let stdout = '';
      const code = await main(['drift', '--state', path.join(FIX, `${engine}-tainted.raw.json`)], { IONOS_TOKEN: 'test-token', IONOS_API_URL: apiUrl }, { stdout: (t) => (stdout += t), stderr: () => undefined, readStdin: () => '' });
      // The failed deploy had replaced the stack's specs resource and never made the new one: ci-b has
      // no spec to compare with, which is the state's doing, not a failure of drift: read, reported, exit 2.
      expect(code).toBe(2);
      expect(stdout.split('\n')).toEqual([
        'tainted ci-a (stack review): its create resource is tainted in the state (a failed create step, or terraform taint); the next deploy deletes it and creates it again, with a new password; live now: exists',
        "unchecked ci-b (stack review): the state holds no declared spec for it (the stack's specs resource is missing: its deploy stopped early); the next deploy checks it against the code; live now: exists",
        `tainted ci-c (stack review): only its create resource is in the state, tainted: its create step failed before the password was captured (token ${IDS.c}); the next deploy creates it again, with a new password; live now: not read: the state records no registry for it`,
        'checked 3 tokens of stack review: 2 tainted, 1 unchecked, 0 as declared',
        '',
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a tainted token', () => {
  test('a create-only token takes name, registry and spec from its entry in the specs resource (matched by id)', () => {
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const id = '224ac587-fe56-5621-9e33-3c1be2ffe12b';
    const entry = { name: 'ci-push', status: 'disabled', expiry_date: 'never', scopes: ['repository app/* pull'], token_id: id, registry_id: REGISTRY, api_url: 'https://x.example' };
    const state = {
      version: 4,
      resources: [
        { mode: 'managed', type: 'terraform_data', name: 'ci-push_create_11111111', instances: [{ status: 'tainted', attributes: { id: 'c', triggers_replace: dyn({ token_id: id }) } }] },
        { mode: 'managed', type: 'terraform_data', name: 'registry-token-specs', instances: [{ attributes: { id: 's', triggers_replace: dyn({ tokens: { 'prod/ci-push': entry } }) } }] },
      ],
    };
    expect(tokensFromState(state, 'raw')).toEqual([
      { path: 'prod/ci-push', name: 'ci-push', registryId: REGISTRY, tokenId: id, apiUrl: 'https://x.example', adopted: false, identityAddress: 'terraform_data.ci-push_create_11111111', spec: { status: 'disabled', expiry: 'never', scopes: ['repository app/* pull'] }, source: 'raw', tainted: 'uncaptured' },
    ]);
  });

  test('the line says what the next deploy does and what is live now; exit 2; never fixed', () => {
    const t: StateToken = { ...token, tainted: 'create' };
    expect(taintedResult(t, undefined).line).toMatch(/^tainted ci-push \(stack prod\): its create resource is tainted .*; the next deploy deletes it and creates it again, with a new password; live now: gone$/);
    expect(taintedResult(t, live()).line).toMatch(/; live now: as declared$/);
    expect(taintedResult(t, live({ status: 'disabled' })).line).toMatch(/; live now: status disabled, declared enabled$/);
    expect(driftExitCode([compare(token, live()), taintedResult(t, live())])).toBe(2);
  });

  test('a create whose deploy stopped before its password resource (not tainted) is reported too: unfinished, exit 2', () => {
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const id = '224ac587-fe56-5621-9e33-3c1be2ffe12b';
    const entry = { name: 'ci-push', status: 'enabled', expiry_date: 'never', scopes: ['repository app/* pull,push'], token_id: id, registry_id: REGISTRY };
    const state = {
      version: 4,
      resources: [
        { mode: 'managed', type: 'terraform_data', name: 'ci-push_create_11111111', instances: [{ attributes: { id: 'c', triggers_replace: dyn({ token_id: id }) } }] },
        { mode: 'managed', type: 'terraform_data', name: 'registry-token-specs', instances: [{ attributes: { id: 's', triggers_replace: dyn({ tokens: { 'prod/ci-push': entry } }) } }] },
      ],
    };
    const [t] = tokensFromState(state, 'raw');
    expect(t).toMatchObject({ path: 'prod/ci-push', name: 'ci-push', registryId: REGISTRY, tokenId: id, tainted: 'interrupted' });
    const r = taintedResult(t, live());
    expect(r.state).toBe('unfinished');
    expect(r.line).toBe(
      `unfinished ci-push (stack prod): only its create resource is in the state: the deploy that created it stopped before its password resource was made (token ${id}); ` +
        'the next deploy makes that resource, or names the one command that creates the token again; live now: as declared',
    );
    expect(driftExitCode([compare(token, live()), r])).toBe(2);
    expect(renderDrift([compare(token, live()), r], 'text').split('\n').at(-2)).toBe('checked 2 tokens of stack prod: 1 unfinished, 1 as declared');
  });

  test("a state that records no construct path (a first deploy failed before any password): the stack comes from the state file's name", async () => {
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const ids = ['224ac587-fe56-5621-9e33-3c1be2ffe12b', '51921c18-4028-5a46-b699-580031a9dea9'];
    const state = {
      version: 4,
      resources: ids.map((id, i) => ({ mode: 'managed', type: 'terraform_data', name: `tok-${i}_create_1111111${i}`, instances: [{ status: 'tainted', attributes: { id: `c${i}`, triggers_replace: dyn({ token_id: id }) } }] })),
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-drift-stack-'));
    try {
      fs.writeFileSync(path.join(dir, 'terraform.review.tfstate'), JSON.stringify(state));
      fs.writeFileSync(path.join(dir, 'cdktf.json'), '{}');
      let stdout = '';
      const code = await main(['drift', '--stack', dir], { IONOS_TOKEN: 'test-token' }, { stdout: (t) => (stdout += t), stderr: () => undefined, readStdin: () => '' });
      expect(code).toBe(2);
      const lines = stdout.split('\n');
      expect(lines.slice(0, 2).map((l) => l.slice(0, l.indexOf(':')))).toEqual(['tainted tok-0 (stack review)', 'tainted tok-1 (stack review)']);
      expect(lines[2]).toBe('checked 2 tokens of stack review: 2 tainted, 0 as declared');
      // --state names the stack the same way
      stdout = '';
      await main(['drift', '--state', path.join(dir, 'terraform.review.tfstate')], { IONOS_TOKEN: 'test-token' }, { stdout: (t) => (stdout += t), stderr: () => undefined, readStdin: () => '' });
      expect(stdout).toContain('checked 2 tokens of stack review: 2 tainted');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a deposed object (create_before_destroy) is not the token', () => {
    const dyn = (value: unknown) => ({ value, type: 'dynamic' });
    const id = '224ac587-fe56-5621-9e33-3c1be2ffe12b';
    const identity = JSON.stringify({ registry_id: REGISTRY, token_id: id, name: 'ci-push', path: 'prod/ci-push', api_url: '' });
    const state = {
      version: 4,
      resources: [
        { mode: 'managed', type: 'terraform_data', name: 'ci-push_create_11111111', instances: [{ deposed: 'abcd1234', status: 'tainted', attributes: { id: 'old', triggers_replace: dyn({ token_id: 'old' }) } }, { attributes: { id: 'c', triggers_replace: dyn({ token_id: id }) } }] },
        { mode: 'managed', type: 'terraform_data', name: 'ci-push_password_22222222', instances: [{ attributes: { id: 'p', triggers_replace: dyn('x'), input: dyn(identity) } }] },
      ],
    };
    expect(tokensFromState(state, 'raw').map((t) => [t.tokenId, t.tainted])).toEqual([[id, undefined]]);
  });
});

describe('days left before expiry', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  const withExpiryIn = (days: number) => live({ expiryDate: new Date(now.getTime() + days * 24 * 3600_000 + 3600_000).toISOString() });

  test('every token with an expiry gets its days left; within the window it is "expiring" and exits 2', () => {
    const declaring = (l: ApiTokenResponse): StateToken => ({ ...token, spec: { ...token.spec!, expiry: l.properties.expiryDate! } });
    const check = (days: number, within?: number) => withExpiry(compare(declaring(withExpiryIn(days)), withExpiryIn(days), now), withExpiryIn(days), now, within);
    const soon = check(9, 14);
    expect(soon).toMatchObject({ state: 'ok', daysLeft: 9, expiring: true, line: `expiring ci-push (stack prod): expires ${withExpiryIn(9).properties.expiryDate} (in 9 days)` });
    const later = check(90, 14);
    expect(later).toMatchObject({ daysLeft: 90, expiring: false });
    expect(later.line).toMatch(/^ok ci-push \(stack prod\): expires .* \(in 90 days\)$/);
    // no window: days left, no verdict; no expiry: unchanged
    expect(check(1)).toMatchObject({ daysLeft: 1, line: expect.stringMatching(/\(in 1 day\)$/) });
    expect(check(1).expiring).toBeUndefined();
    expect(withExpiry(compare(token, live(), now), live(), now, 14)).toEqual(compare(token, live(), now));
    expect([driftExitCode([soon]), driftExitCode([later])]).toEqual([2, 0]);
    // text lists tokens with an expiry too, and counts those expiring
    expect(renderDrift([soon, later], 'text').split('\n')).toEqual([soon.line, later.line, 'checked 2 tokens of stack prod: 2 as declared, 1 expiring soon', '']);
  });

  test('the CLI: --expiring-within gives a scheduled job the date, the days left and the verdict in JSON', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const expiryDate = new Date(Date.now() + 3 * 24 * 3600_000 + 3600_000).toISOString();
      res.end(JSON.stringify({ ...live(), type: 'token', properties: { ...live().properties, expiryDate, credentials: { username: 'ci-push', password: '' } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const dyn = (value: unknown) => ({ value, type: 'dynamic' });
      const attrs = (name: string, o: object) => ({ mode: 'managed', type: 'terraform_data', name, instances: [{ attributes: o }] });
      const entry = { name: 'ci-push', status: 'enabled', expiry_date: 'never', scopes: ['repository app/* push,pull'], token_id: token.tokenId, registry_id: REGISTRY };
      const state = {
        version: 4,
        resources: [
          attrs('ci-push_create_11111111', { id: 'c', triggers_replace: dyn({ token_id: token.tokenId }) }),
          attrs('ci-push_password_22222222', { id: 'p', triggers_replace: dyn('secret-password'), input: dyn(JSON.stringify({ registry_id: REGISTRY, token_id: token.tokenId, name: 'ci-push', path: 'prod/ci-push', api_url: '' })) }),
          attrs('registry-token-specs', { id: 's', triggers_replace: dyn({ tokens: { 'prod/ci-push': entry } }) }),
        ],
      };
      const run = async (args: string[]) => {
        let stdout = '';
        const code = await main(['drift', '--state', '-', ...args], { IONOS_TOKEN: 'test-token', IONOS_API_URL: apiUrl }, { stdout: (t) => (stdout += t), stderr: () => undefined, readStdin: () => JSON.stringify(state) });
        return { code, stdout };
      };
      const json = await run(['--expiring-within', '7', '--format', 'json']);
      if (json.code !== 2) throw new Error(json.stdout);
      const doc = JSON.parse(json.stdout);
      expect(doc.tokens[0]).toMatchObject({ name: 'ci-push', stack: 'prod', state: 'drift', daysLeft: 3, expiring: true, expiryDate: expect.any(String) });
      expect((await run(['--expiring-within', '2'])).stdout).toMatch(/; expires .* \(in 3 days\)\nchecked 1 token of stack prod: 1 drifted, 0 as declared, 0 expiring soon\n$/);
      expect((await run(['--expiring-within', 'soon'])).code).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
