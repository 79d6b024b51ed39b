import { Testing, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { RegistryToken, RegistryTokenConfig, RegistryTokenErrors, RemovalPolicy, ScopeAction, ScopeType, TokenStatus, uuidv5 } from '../../lib';
import { parseStep, type CreateStep, type SpecsStep } from '../../lib/handler/step';
import { newStack, synth } from '../helper/synth';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const base: RegistryTokenConfig = {
  registryId: REGISTRY,
  name: 'ci-push',
  scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PUSH, ScopeAction.PULL] }],
};

/** How every step runs: run.sh from the handler asset, with the Node executable; the command is only words naming the step. */
const INTERPRETER = ['/bin/sh', expect.stringMatching(/^assets\/ionos-registry-token-handler\/[0-9A-F]+\/run\.sh$/), 'node'];
const COMMAND = /^registry-token: the (create|delete|captured|specs|specs-before) step of [^$]+$/;

/**
 * A provisioner's step, read by the handler's own parser, as the engine would hand it over once it
 * has filled in what only the apply knows (here: resource ids as "<address>.id", booleans as true).
 */
function stepOf(provisioner: any): unknown {
  const exec = provisioner['local-exec'];
  expect(exec.command).toMatch(COMMAND);
  expect(exec.interpreter).toEqual(INTERPRETER);
  expect(exec.quiet).toBe(true);
  const text = Object.keys(exec.environment)
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .map((k) => exec.environment[k] as string)
    .join('');
  const evaluated = text
    .replace(/\$\{([A-Za-z0-9_.-]+)\.id\}/g, '$1.id')
    .replace(/\$\{nonsensitive\(length\([^)]*\) >= 1\)\}/g, 'true')
    .replace(/\$\{jsonencode\(try\(jsondecode\(self\.input\), self\.input, null\)\)\}/g, '{"registry_id":"r","token_id":"t","name":"n","path":"p","api_url":""}')
    // the entries before, in pieces: as if the resource held none
    .replace(/\$\{jsonencode\(substr\(jsonencode\(try\(self\.triggers_replace\.tokens, \{\}\)\), (\d+), (\d+)\)\)\}/g, (_m, at, n) => JSON.stringify('{}'.substr(Number(at), Number(n))));
  return parseStep(evaluated);
}
const createStep = (create: any) => stepOf(create.provisioner[0]) as CreateStep;

function resources(stack: TerraformStack) {
  const out = synth(stack);
  const data = out.resource.terraform_data;
  const pick = (part: string) => Object.entries(data).find(([k]) => k.startsWith(`push-token_${part}_`))![1];
  const names = Object.keys(data);
  return { out, names, create: pick('create'), password: pick('password'), specs: data['registry-token-specs'] };
}

describe('synthesized lifecycle', () => {
  test('two resources per token and one per stack; password holds the identity and deletes on destroy; create carries the token id', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const token = new RegistryToken(stack, 'push-token', base);
    const { names, create, password } = resources(stack);
    // THEN
    expect(names.map((n) => n.replace(/_[0-9A-F]{8}$/, '')).sort()).toEqual(['push-token_create', 'push-token_password', 'registry-token-specs']);
    expect(token.tokenId).toBe(uuidv5('9f1c2a53-7c1e-5d7a-9b8e-3a4d6c2f1e0b', `ci|push-token|${REGISTRY}|ci-push`));
    expect(create.triggers_replace).toEqual({ token_id: token.tokenId });
    expect(create.depends_on).toBeUndefined();
    // the identity as JSON text (cheaper in the state than an object with its type)
    expect(JSON.parse(password.input)).toEqual({ registry_id: REGISTRY, token_id: token.tokenId, name: 'ci-push', path: 'ci/push-token', api_url: '' });
    expect(password.lifecycle.replace_triggered_by).toEqual([expect.stringMatching(/^terraform_data\.push-token_create_[0-9A-F]{8}$/)]);
    expect(password.provisioner).toHaveLength(2);
    // once it holds the password, a note lets the result file go; it can never taint `password`
    const note = password.provisioner[1]['local-exec'];
    expect(note.on_failure).toBe('continue');
    expect(note.when).toBeUndefined();
    const createName = names.find((n) => n.startsWith('push-token_create_'));
    expect(note.environment.IONOS_RT_STEP).toBe(`{"op":"captured","tokenId":"${token.tokenId}","createId":"\${terraform_data.${createName}.id}"}`);
    const exec = password.provisioner[0]['local-exec'];
    expect(exec.when).toBe('destroy');
    // the identity read back from the state: JSON text since 0.3, an object in 0.2, none in 0.1
    expect(exec.environment).toEqual({ IONOS_RT_STEP: '{"op":"delete","identity":${jsonencode(try(jsondecode(self.input), self.input, null))}}' });
    expect(stepOf(password.provisioner[0])).toEqual({ op: 'delete', identity: { registry_id: 'r', token_id: 't', name: 'n', path: 'p', api_url: '' } });
  });

  test("the stack's specs resource reads as plain words per token path, scopes in a stable order", () => {
    const stack = newStack();
    new RegistryToken(stack, 'push-token', {
      ...base,
      status: TokenStatus.DISABLED,
      expiryDate: '2030-01-01T00:00:00Z',
      scopes: [
        { type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PUSH, ScopeAction.PULL] },
        { type: ScopeType.REGISTRY, name: '*', actions: [ScopeAction.PULL] },
      ],
    });
    const { specs } = resources(stack);
    expect(specs.triggers_replace.tokens).toEqual({
      'ci/push-token': {
        name: 'ci-push',
        status: 'disabled',
        expiry_date: '2030-01-01T00:00:00Z',
        scopes: ['registry * pull', 'repository app/* pull,push'],
        // what the destroy step needs to delete it once it leaves the code
        token_id: uuidv5('9f1c2a53-7c1e-5d7a-9b8e-3a4d6c2f1e0b', `ci|push-token|${REGISTRY}|ci-push`),
        registry_id: REGISTRY,
      },
    });
    // a digest of the create ids: any create replaces it, so that its step removes the result file
    expect(specs.triggers_replace.creates).toMatch(/^\$\{substr\(sha256\(join\(",", \[terraform_data\.push-token_create_[0-9A-F]{8}\.id\]\)\), 0, 16\)\}$/);
  });

  test('one specs resource per stack, listing every token; each step is one JSON value, literal where known at synth', () => {
    const stack = newStack();
    new RegistryToken(stack, 'a', { ...base, name: 'tok-a', maxAttempts: 3 });
    new RegistryToken(stack, 'b', { ...base, name: 'tok-b' });
    const data = synth(stack).resource.terraform_data;
    expect(Object.keys(data).filter((k) => k.startsWith('registry-token-specs'))).toEqual(['registry-token-specs']);
    const specs = data['registry-token-specs'];
    expect(Object.keys(specs.triggers_replace.tokens)).toEqual(['ci/a', 'ci/b']);
    expect(specs.depends_on).toEqual([expect.stringMatching(/^terraform_data\.a_password_[0-9A-F]{8}$/), expect.stringMatching(/^terraform_data\.b_password_[0-9A-F]{8}$/)]);
    const [apply, before] = specs.provisioner;
    expect(apply['local-exec'].when).toBeUndefined();
    // literal JSON (cheap for the engine), the create ids interpolated
    expect(apply['local-exec'].environment.IONOS_RT_STEP).toContain('"createId":"${terraform_data.a_create_');
    const step = stepOf(apply) as SpecsStep;
    expect(step).toMatchObject({ op: 'specs', stack: 'ci' });
    expect(step.tokens.map((t) => t.path)).toEqual(['ci/a', 'ci/b']);
    expect(step.tokens[0]).toEqual({
      path: 'ci/a',
      entry: specs.triggers_replace.tokens['ci/a'],
      create: expect.stringMatching(/^a_create_[0-9A-F]{8}$/),
      password: expect.stringMatching(/^a_password_[0-9A-F]{8}$/),
      createId: expect.stringMatching(/^terraform_data\.a_create_[0-9A-F]{8}\.id$/),
      captured: true,
      maxAttempts: 3,
    });
    expect(before['local-exec'].when).toBe('destroy');
    // every entry it held (also of tokens that left the code), in pieces of 20,000 characters, each
    // in a variable of its own; and the paths declared now
    const env = before['local-exec'].environment;
    expect(Object.keys(env)).toEqual(['IONOS_RT_STEP', 'IONOS_RT_STEP_1', 'IONOS_RT_STEP_2', 'IONOS_RT_STEP_3', 'IONOS_RT_STEP_4']);
    expect(env.IONOS_RT_STEP_1).toBe('${jsonencode(substr(jsonencode(try(self.triggers_replace.tokens, {})), 0, 20000))},');
    expect(env.IONOS_RT_STEP_4).toBe('${jsonencode(substr(jsonencode(try(self.triggers_replace.tokens, {})), 60000, 20000))}]}');
    expect(stepOf(before)).toEqual({ op: 'specs-before', declared: ['ci/a', 'ci/b'], before: {} });
  });

  test('a long specs step continues in further variables, none over 100 KiB, and run.sh joins them', () => {
    const stack = newStack();
    for (let i = 0; i < 400; i++) new RegistryToken(stack, `t${i}`, { ...base, name: `tok-${i}` });
    const apply = synth(stack).resource.terraform_data['registry-token-specs'].provisioner[0];
    const vars = Object.keys(apply['local-exec'].environment);
    expect(vars.length).toBeGreaterThan(1);
    for (const v of vars) expect(Buffer.byteLength(apply['local-exec'].environment[v])).toBeLessThanOrEqual(100 * 1024);
    expect(vars).toEqual(vars.map((_, i) => (i === 0 ? 'IONOS_RT_STEP' : `IONOS_RT_STEP_${i}`)));
    expect((stepOf(apply) as SpecsStep).tokens).toHaveLength(400);
  });

  test('removalPolicy RETAIN and an apiUrl are recorded in the entry; DESTROY, the default, adds nothing', () => {
    const stack = newStack();
    new RegistryToken(stack, 'a', { ...base, name: 'tok-a', removalPolicy: RemovalPolicy.RETAIN, apiUrl: 'https://api.example' });
    new RegistryToken(stack, 'b', { ...base, name: 'tok-b', removalPolicy: RemovalPolicy.DESTROY });
    const tokens = synth(stack).resource.terraform_data['registry-token-specs'].triggers_replace.tokens;
    expect(tokens['ci/a']).toMatchObject({ removal_policy: 'retain', api_url: 'https://api.example' });
    expect(Object.keys(tokens['ci/b']).sort()).toEqual(['expiry_date', 'name', 'registry_id', 'scopes', 'status', 'token_id']);
  });

  test("the specs step is told whether each created token's password reached the state (an adopted one's is unknown)", () => {
    const stack = newStack();
    new RegistryToken(stack, 'push-token', base);
    new RegistryToken(stack, 'adopted', { ...base, name: 'other', adoptTokenId: '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e4f5' });
    const data = synth(stack).resource.terraform_data;
    const apply = data['registry-token-specs'].provisioner[0];
    const pw = Object.keys(data).find((k) => k.startsWith('push-token_password_'))!;
    expect(apply['local-exec'].environment.IONOS_RT_STEP).toContain(`"captured":\${nonsensitive(length(terraform_data.${pw}.triggers_replace) >= 1)}`);
    const [created, adopted] = (stepOf(apply) as SpecsStep).tokens;
    expect(created.captured).toBe(true);
    expect(adopted.captured).toBeUndefined();
  });

  test('the same name twice in one registry of a stack is a synth error naming both construct paths', () => {
    const stack = newStack();
    new RegistryToken(stack, 'first', base);
    expect(() => new RegistryToken(stack, 'second', base)).toThrow(
      `ci/second: name "ci-push" is already declared by ci/first in registry ${REGISTRY} (names are unique in a registry)`,
    );
    // another registry, or another stack, may use it
    new RegistryToken(stack, 'third', { ...base, registryId: '00000000-0000-4000-8000-000000000001' });
    new RegistryToken(newStack('other'), 'first', base);
  });

  test('the password is captured sensitively from the result file and output as sensitive', () => {
    const stack = newStack();
    const token = new RegistryToken(stack, 'push-token', base);
    const { out, password, create } = resources(stack);
    expect(password.triggers_replace).toMatch(/^\$\{sensitive\(fileexists\(join\(/);
    expect(Object.keys(JSON.parse(password.input)).sort()).toEqual(['api_url', 'name', 'path', 'registry_id', 'token_id']); // identity only, never the password
    expect(password.lifecycle.ignore_changes).toEqual(['triggers_replace']);
    expect(create.provisioner[0]['local-exec'].environment.IONOS_RT_STEP).toContain('"createId":"${self.id}"');
    expect(createStep(create).createId).toBe('self.id');
    expect(token.passwordOutputName).toBe('push-token_password');
    expect(out.output!['push-token_password']).toMatchObject({ sensitive: true });
  });

  test('nothing secret and no credential in the synthesized JSON', () => {
    process.env.IONOS_PASSWORD = 'synth-secret-should-not-leak';
    try {
      const stack = newStack();
      new RegistryToken(stack, 'push-token', base);
      const json = Testing.synth(stack);
      expect(json).not.toContain('synth-secret-should-not-leak');
      expect(json).not.toMatch(/IONOS_(TOKEN|PASSWORD|USERNAME)/);
    } finally {
      delete process.env.IONOS_PASSWORD;
    }
  });

  test('passwordOutput: false adds no output', () => {
    const stack = newStack();
    const token = new RegistryToken(stack, 'push-token', { ...base, passwordOutput: false });
    expect(token.passwordOutputName).toBeUndefined();
    expect(synth(stack).output).toBeUndefined();
  });

  test('the token id differs per stack, so two stacks never share one', () => {
    const a = new RegistryToken(newStack('a'), 'push-token', base);
    const b = new RegistryToken(newStack('b'), 'push-token', base);
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  test('one "terraform version" check per stack, not one per terraform_data (synth stays fast)', () => {
    const stack = newStack();
    for (let i = 0; i < 10; i++) new RegistryToken(stack, `t${i}`, { ...base, name: `tok-${i}` });
    const checks = stack.node
      .findAll()
      .flatMap((c) => ((c.node as unknown as { _validations?: object[] })._validations ?? []).map((v) => v.constructor.name))
      .filter((n) => n === 'ValidateTerraformVersion');
    expect(checks).toEqual(['ValidateTerraformVersion']);
  });

  test('the password resource has no create provisioner: it can never be tainted, so its delete always runs', () => {
    const stack = newStack();
    new RegistryToken(stack, 'push-token', base);
    const { password, specs, create } = resources(stack);
    expect(password.provisioner.map((p: any) => p['local-exec'].when)).toEqual(['destroy']);
    expect(specs.depends_on).toEqual([expect.stringMatching(/_password_/)]);
    expect(createStep(create)).toEqual({
      op: 'create',
      path: 'ci/push-token',
      registryId: REGISTRY,
      tokenId: expect.any(String),
      apiUrl: '',
      spec: { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['push', 'pull'] }], status: 'enabled', expiryDate: null },
      createId: 'self.id',
      adopt: false,
    });
  });

  test('one handler asset per stack', () => {
    const stack = newStack();
    new RegistryToken(stack, 'push-token', base);
    new RegistryToken(stack, 'other', { ...base, name: 'other' });
    expect(stack.node.children.filter((c) => c.node.id === 'ionos-registry-token-handler')).toHaveLength(1);
  });
});

describe('validation at synth', () => {
  const bad = (config: Partial<RegistryTokenConfig>) => () => new RegistryToken(newStack(), 'push-token', { ...base, ...config });

  test('fails if the name breaks the rule, naming path, prop, value and rule', () => {
    expect(bad({ name: '1abc' })).toThrow('ci/push-token: name "1abc" must start with a letter a-z (3-63 chars of a-z, A-Z, 0-9, "-")');
  });
  test('fails if the registry id is not a uuid', () => {
    expect(bad({ registryId: 'my-registry' })).toThrow('ci/push-token: registryId "my-registry" must be a uuid');
  });
  test('fails if there is no scope', () => {
    expect(bad({ scopes: [] })).toThrow('ci/push-token: scopes [] must contain at least one scope');
  });
  test('fails if push comes without pull', () => {
    expect(bad({ scopes: [{ type: ScopeType.REPOSITORY, name: 'a', actions: [ScopeAction.PUSH] }] })).toThrow('push requires pull');
  });
  test('fails if the expiry has no zone', () => {
    expect(bad({ expiryDate: '2030-01-01T00:00:00' })).toThrow('ci/push-token: expiryDate "2030-01-01T00:00:00" must be an RFC 3339 date-time with a zone');
  });
  test('fails if the status is not one of the enum', () => {
    expect(bad({ status: 'on' as TokenStatus })).toThrow('ci/push-token: status "on" must be one of enabled, disabled');
  });
  test('fails if retry settings are not whole numbers; passes them to the handler when valid', () => {
    expect(bad({ maxAttempts: 0 })).toThrow('ci/push-token: maxAttempts 0 must be a whole number of at least 1');
    expect(bad({ totalTimeoutSeconds: 1.5 })).toThrow('ci/push-token: totalTimeoutSeconds 1.5 must be a whole number of at least 1');
    const stack = newStack();
    new RegistryToken(stack, 'push-token', { ...base, maxAttempts: 8, totalTimeoutSeconds: 300 });
    const { create, password } = resources(stack);
    expect(createStep(create)).toMatchObject({ maxAttempts: 8, totalTimeoutSeconds: 300 });
    expect(stepOf(password.provisioner[0])).toMatchObject({ maxAttempts: 8, totalTimeoutSeconds: 300 });
  });
  test('unresolved retry settings are accepted at synth; the create step gets them from Terraform, the destroy step (self only) leaves them to the environment', () => {
    const stack = newStack();
    const attempts = new TerraformVariable(stack, 'attempts', { type: 'number' });
    new RegistryToken(stack, 'push-token', { ...base, maxAttempts: Token.asNumber(attempts.numberValue), totalTimeoutSeconds: attempts.numberValue });
    const { create, password } = resources(stack);
    expect(create.provisioner[0]['local-exec'].environment.IONOS_RT_STEP).toMatch(/"maxAttempts" = var\.attempts, "totalTimeoutSeconds" = var\.attempts\}\)\}$/);
    expect(password.provisioner[0]['local-exec'].environment.IONOS_RT_STEP).not.toContain('var.');
  });
  test('the error is one line per rule, with no stack trace into the library', () => {
    try {
      bad({ name: '1abc', registryId: 'x' })();
      throw new Error('expected a throw');
    } catch (e) {
      expect((e as Error).message.split('\n')).toHaveLength(2);
      expect((e as Error).stack).toBe(`RegistryTokenConfigError: ${(e as Error).message}`);
      expect(RegistryTokenErrors.isConfigError(e)).toBe(true);
      expect((e as Error).name).toBe(RegistryTokenErrors.CONFIG_ERROR_NAME);
    }
  });
  test('nodeExecutable must be known at synth (the destroy steps run it and may name only their own resource) and not empty', () => {
    const stack = newStack();
    const node = new TerraformVariable(stack, 'node', { type: 'string' });
    expect(() => new RegistryToken(stack, 'push-token', { ...base, nodeExecutable: node.stringValue })).toThrow(
      /^ci\/push-token: nodeExecutable "\$\{TfToken\[TOKEN\.\d+\]\}" must be known at synth \(the destroy steps run it, and a destroy step may reference nothing but its own resource\)$/,
    );
    expect(bad({ nodeExecutable: ' ' })).toThrow('ci/push-token: nodeExecutable " " must be a non-empty string');
    const ok = new RegistryToken(newStack(), 'push-token', { ...base, nodeExecutable: '/opt/node 22/bin/node' });
    expect(ok.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });
  test('isConfigError is false for any other error or value', () => {
    expect(RegistryTokenErrors.isConfigError(new Error('x'))).toBe(false);
    expect(RegistryTokenErrors.isConfigError({ name: 'RegistryTokenConfigError', message: 'x' })).toBe(false);
    expect(RegistryTokenErrors.isConfigError(undefined)).toBe(false);
  });
  test('an expiry less than an hour ahead is a warning, not an error', () => {
    const stack = newStack();
    const soon = new Date(Date.now() + 10 * 60 * 1000).toISOString();
    const token = new RegistryToken(stack, 'push-token', { ...base, expiryDate: soon });
    const warnings = token.node.metadata.filter((m) => m.type.includes('warn')).map((m) => m.data);
    expect(warnings).toEqual([expect.stringContaining(`ci/push-token: expiryDate "${soon}" must be at least one hour in the future`)]);
  });
  test('unresolved values are accepted at synth and passed to the handler', () => {
    const stack = newStack();
    const name = new TerraformVariable(stack, 'token_name', { type: 'string' });
    const token = new RegistryToken(stack, 'push-token', { ...base, name: name.stringValue });
    const { create } = resources(stack);
    expect(create.triggers_replace.token_id).toMatch(/^\$\{uuidv5\(/);
    expect(token.tokenId).toMatch(/TfToken/);
    // an unresolved value: Terraform builds the step's JSON at apply
    const exec = create.provisioner[0]['local-exec'];
    expect(exec.command).toMatch(COMMAND);
    // the specs step: that token's part by jsonencode(), the whole of it a valid Terraform template
    const specs = resources(stack).specs.provisioner[0]['local-exec'].environment.IONOS_RT_STEP;
    expect(specs).toMatch(/^\{"op":"specs","stack":"ci","tokens":\[\$\{jsonencode\(\{"path" = "ci\/push-token", "entry" = \{"name" = var\.token_name, /);
    expect(specs).toContain('"captured" = nonsensitive((length(terraform_data.push-token_password_');
    expect(specs).not.toContain('undefined');
    expect(exec.environment.IONOS_RT_STEP).toMatch(/^\$\{jsonencode\(\{"op" = "create", .*"spec" = \{"name" = var\.token_name, .*"createId" = self\.id\}\)\}$/);
  });
});

describe('operations props', () => {
  test('without the new props, create carries only the token id (no rotation, no adopt marker)', () => {
    const stack = newStack();
    new RegistryToken(stack, 'push-token', base);
    const { password, create, out } = resources(stack);
    expect(Object.keys(create.triggers_replace)).toEqual(['token_id']);
    expect(Object.keys(JSON.parse(password.input)).sort()).toEqual(['api_url', 'name', 'path', 'registry_id', 'token_id']);
    expect(createStep(create).adopt).toBe(false);
    expect(Object.keys(out.output!)).toEqual(['push-token_password']);
  });

  test('rotationTrigger sits in create, so a change deletes and re-creates the token (same id)', () => {
    const a = newStack();
    const t1 = new RegistryToken(a, 'push-token', { ...base, rotationTrigger: '2025-01' });
    expect(resources(a).create.triggers_replace).toEqual({ token_id: t1.tokenId, rotation: '2025-01' });
    const b = newStack();
    const t2 = new RegistryToken(b, 'push-token', { ...base, rotationTrigger: '2025-02' });
    expect(t2.tokenId).toBe(t1.tokenId);
  });

  test('adoptTokenId: the token id is the adopted one, name and registry replace it, password is marked, create adopts', () => {
    const stack = newStack();
    const id = '0C1D2E3F-4A5B-4C6D-8E7F-A0B1C2D3E4F5';
    const token = new RegistryToken(stack, 'push-token', { ...base, adoptTokenId: id });
    const { password, create } = resources(stack);
    expect(token.tokenId).toBe(id.toLowerCase());
    expect(create.triggers_replace).toEqual({ token_id: id.toLowerCase(), registry_id: REGISTRY, name: 'ci-push' });
    expect(JSON.parse(password.input)).toEqual({ registry_id: REGISTRY, token_id: id.toLowerCase(), name: 'ci-push', path: 'ci/push-token', api_url: '', adopt: 'true' });
    expect(createStep(create).adopt).toBe(true);
  });

  test('adoptTokenId must be a uuid; registryHostname a hostname', () => {
    expect(() => new RegistryToken(newStack(), 'push-token', { ...base, adoptTokenId: 'abc' })).toThrow(
      'ci/push-token: adoptTokenId "abc" must be a uuid like 00000000-0000-4000-8000-000000000000',
    );
    expect(() => new RegistryToken(newStack(), 'push-token', { ...base, registryHostname: 'https://x.example/' })).toThrow(
      /^ci\/push-token: registryHostname "https:\/\/x.example\/" must be a hostname/,
    );
  });

  test('registryHostname: a sensitive Docker config JSON built by Terraform, and its sensitive output', () => {
    const stack = newStack();
    const token = new RegistryToken(stack, 'push-token', { ...base, registryHostname: 'reg.cr.de-fra.ionos.com' });
    const { out } = resources(stack);
    expect(token.dockerConfigJsonOutputName).toBe('push-token_docker_config_json');
    const output = out.output!['push-token_docker_config_json'];
    expect(output.sensitive).toBe(true);
    expect(output.value).toMatch(/^\$\{sensitive\(jsonencode\(\{"auths" = \{"reg.cr.de-fra.ionos.com" = \{"username" = "ci-push", "password" = terraform_data\.push-token_password_[0-9A-F]+\.triggers_replace, "auth" = base64encode\(join\(":", \["ci-push", terraform_data\.push-token_password_[0-9A-F]+\.triggers_replace\]\)\)\}\}\}\)\)\}$/);
    const noOutput = newStack();
    const quiet = new RegistryToken(noOutput, 'push-token', { ...base, registryHostname: 'reg.example:5000', passwordOutput: false });
    expect(quiet.dockerConfigJson).toBeDefined();
    expect(quiet.dockerConfigJsonOutputName).toBeUndefined();
  });

  test('an unresolved registryHostname becomes the key through zipmap()', () => {
    const stack = newStack();
    const host = new TerraformVariable(stack, 'host', { type: 'string' });
    new RegistryToken(stack, 'push-token', { ...base, registryHostname: host.stringValue });
    expect(resources(stack).out.output!['push-token_docker_config_json'].value).toMatch(/zipmap\(\[var\.host\], \[\{"username" = "ci-push"/);
  });

  describe('lookupRegistryHostname', () => {
    test('a hostname resource reads the hostname the create wrote; the Docker config JSON is built with it', () => {
      // GIVEN
      const stack = newStack();
      // WHEN
      const token = new RegistryToken(stack, 'push-token', { ...base, lookupRegistryHostname: true });
      // THEN
      const { out, names, create, password } = resources(stack);
      const hostname = Object.entries(out.resource.terraform_data).find(([k]) => k.startsWith('push-token_hostname_'))![1];
      const hostnameName = names.find((n) => n.startsWith('push-token_hostname_'))!;
      const createName = names.find((n) => n.startsWith('push-token_create_'))!;
      expect(createStep(create).lookupHostname).toBe(true);
      expect(hostname.triggers_replace).toMatch(/^\$\{try\(fileexists\(join\("", \[".registry-token\/", "[0-9a-f-]{36}", ".", terraform_data\.push-token_create_[0-9A-F]+\.id, ".result.json"\]\)\) \? jsondecode\(file\(.*\)\)\.hostname : "", ""\)\}$/);
      expect(hostname.lifecycle.ignore_changes).toEqual(['triggers_replace']);
      expect(hostname.lifecycle.replace_triggered_by).toEqual([`terraform_data.${createName}`]);
      expect(hostname.lifecycle.postcondition[0].condition).toBe('${can(regex(".", self.triggers_replace))}');
      expect(hostname.lifecycle.postcondition[0].error_message).toMatch(/^ci\/push-token: the registry's hostname of token "ci-push" is unknown: .*Rotate the token once \(set or change rotationTrigger\).* or set registryHostname instead$/);
      expect(hostname.provisioner).toBeUndefined();
      // password waits for it, so the result file is still there when hostname reads it
      expect(password.depends_on).toEqual([`terraform_data.${createName}`, `terraform_data.${hostnameName}`]);
      expect(token.registryHostname).toBeDefined();
      const output = out.output!['push-token_docker_config_json'];
      expect(output.sensitive).toBe(true);
      expect(output.value).toMatch(new RegExp(`^\\$\\{sensitive\\(jsonencode\\(\\{"auths" = zipmap\\(\\[terraform_data\\.${hostnameName}\\.triggers_replace\\], \\[\\{"username" = "ci-push", "password" = terraform_data\\.push-token_password_[0-9A-F]+\\.triggers_replace`));
      expect(output.description).toBe('Docker config JSON (kubernetes.io/dockerconfigjson) for "ci-push" at the registry\'s hostname (read at create)');
    });

    test('left out, or false: the synthesized stack is what it was (no hostname resource, no lookup in the step)', () => {
      // GIVEN two stacks, one without the prop and one with false
      const without = newStack();
      new RegistryToken(without, 'push-token', base);
      const off = newStack();
      new RegistryToken(off, 'push-token', { ...base, lookupRegistryHostname: false });
      // THEN
      expect(synth(off)).toEqual(synth(without));
      const { names, create, password } = resources(without);
      expect(names.some((n) => n.includes('hostname'))).toBe(false);
      expect(create.provisioner[0]['local-exec'].environment).not.toEqual(expect.objectContaining({ IONOS_RT_STEP: expect.stringContaining('lookupHostname') }));
      expect(JSON.stringify(create)).not.toContain('lookupHostname');
      expect(password.depends_on).toHaveLength(1);
    });

    test('fails if registryHostname is set too', () => {
      expect(() => new RegistryToken(newStack(), 'push-token', { ...base, registryHostname: 'reg.example', lookupRegistryHostname: true })).toThrow(
        'ci/push-token: lookupRegistryHostname true must not be true when registryHostname is set (the hostname is given, or looked up at create, not both): remove one of them',
      );
    });

    test('fails if it is not known at synth', () => {
      const stack = newStack();
      const flag = new TerraformVariable(stack, 'flag', { type: 'bool' });
      expect(() => new RegistryToken(stack, 'push-token', { ...base, lookupRegistryHostname: flag.booleanValue as unknown as boolean })).toThrow(
        /^ci\/push-token: lookupRegistryHostname .* must be known at synth \(it decides which resources the token has\)$/,
      );
    });
  });
});

describe('rolling expiry and scheduled rotation', () => {
  const synthAt = (now: string, config: Partial<RegistryTokenConfig>) => {
    const before = process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW;
    process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW = now;
    try {
      const stack = newStack();
      new RegistryToken(stack, 'push-token', { ...base, ...config });
      return resources(stack);
    } finally {
      if (before === undefined) delete process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW;
      else process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW = before;
    }
  };

  test('the create resource carries the period this synth falls in: the same all period long, the next one replaces it', () => {
    const schedule = { expiresAfterDays: 90, rotateEveryDays: 30 };
    const early = synthAt('2026-12-05T00:00:00Z', schedule).create.triggers_replace;
    expect(early.rotation_period).toBe('30 days, period 693');
    expect(synthAt('2027-01-01T23:59:59Z', schedule).create.triggers_replace).toEqual(early);
    expect(synthAt('2027-01-02T00:00:00Z', schedule).create.triggers_replace.rotation_period).toBe('30 days, period 694');
    // without a schedule: no such key, so existing stacks plan no change
    expect(synthAt('2027-01-02T00:00:00Z', {}).create.triggers_replace).toEqual({ token_id: early.token_id });
  });

  test('a rolling expiry: the plan reads "90 days after creation", the create step carries the lifetime', () => {
    const { create, specs } = synthAt('2026-12-05T00:00:00Z', { expiresAfterDays: 90 });
    expect(specs.triggers_replace.tokens['ci/push-token'].expiry_date).toBe('90 days after creation');
    expect(createStep(create).spec).toMatchObject({ expiryDate: null, expiresAfterDays: 90 });
  });

  test('refused at synth: with expiryDate, a period not shorter than the lifetime, a value unknown at synth', () => {
    expect(() => synthAt('2026-12-05T00:00:00Z', { expiresAfterDays: 90, expiryDate: '2030-01-01T00:00:00Z' })).toThrow(/^ci\/push-token: expiresAfterDays 90 must not be set with expiryDate/);
    expect(() => synthAt('2026-12-05T00:00:00Z', { expiresAfterDays: 30, rotateEveryDays: 30 })).toThrow('ci/push-token: rotateEveryDays 30 must be less than expiresAfterDays (30): the token must be rotated before it expires');
    const stack = newStack();
    const days = new TerraformVariable(stack, 'days', { type: 'number' });
    expect(() => new RegistryToken(stack, 'push-token', { ...base, rotateEveryDays: days.numberValue })).toThrow(/rotateEveryDays .* must be known at synth/);
  });
});
