/** Zero-downtime rotation: two credentials in alternation, their periods, overlap, names and rules. */
import { RegistryToken, RegistryTokenConfig, RemovalPolicy, ScopeAction, ScopeType } from '../../lib';
import { periodStart, rotationPeriod, slotPlan } from '../../lib/schedule';
import { checkTokenProps } from '../../lib/validation';
import { newStack, synth } from '../helper/synth';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const base: RegistryTokenConfig = {
  registryId: REGISTRY,
  name: 'ci-push',
  scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
  rotateEveryDays: 30,
  zeroDowntime: true,
};
const DAY = 86_400_000;
const NOW = '2026-12-03T10:00:00Z';
const P = rotationPeriod(30, new Date(NOW));

function synthAt(now: string, config: Partial<RegistryTokenConfig> = {}) {
  const saved = process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW;
  process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW = now;
  try {
    const stack = newStack();
    const token = new RegistryToken(stack, 'push', { ...base, ...config });
    const out = synth(stack);
    const data = out.resource.terraform_data;
    const creates = Object.fromEntries(Object.entries(data).filter(([k]) => /^push_[ab]_create_/.test(k)).map(([k, v]) => [k.slice(5, 6), v.triggers_replace]));
    return { token, out, creates, specs: data['registry-token-specs'].triggers_replace.tokens };
  } finally {
    if (saved === undefined) delete process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW;
    else process.env.IONOS_REGISTRY_TOKEN_SYNTH_NOW = saved;
  }
}

test('the slots alternate by period: the current one is new, the one before stays for the overlap', () => {
  const start = periodStart(30, P);
  const even = P % 2 === 0 ? 'a' : 'b';
  const odd = even === 'a' ? 'b' : 'a';
  expect(slotPlan(30, 30, start)).toEqual({ current: { id: even, period: P }, previous: { id: odd, period: P - 1 } });
  expect(slotPlan(30, 30, new Date(start.getTime() + 30 * DAY))).toEqual({ current: { id: odd, period: P + 1 }, previous: { id: even, period: P } });
  // a 7-day overlap: the previous slot is declared for 7 days, then not (the next deploy deletes it)
  expect(slotPlan(30, 7, new Date(start.getTime() + 7 * DAY - 1)).previous).toEqual({ id: odd, period: P - 1 });
  expect(slotPlan(30, 7, new Date(start.getTime() + 7 * DAY))).toEqual({ current: { id: even, period: P } });
});

test('the construct declares both credentials, <name>-a and <name>-b, and hands out the current one', () => {
  const { token, out, creates, specs } = synthAt(NOW);
  const current = P % 2 === 0 ? 'a' : 'b';
  const previous = current === 'a' ? 'b' : 'a';
  expect(token.username).toBe(`ci-push-${current}`);
  expect(Object.keys(specs).sort()).toEqual(['ci/push/a', 'ci/push/b']);
  expect(specs['ci/push/a'].name).toBe('ci-push-a');
  expect(creates[current].rotation_period).toBe(`30 days, period ${P}`);
  expect(creates[previous].rotation_period).toBe(`30 days, period ${P - 1}`);
  expect(creates.a.token_id).not.toBe(creates.b.token_id);
  expect(token.tokenId).toBe(creates[current].token_id);
  // the outputs follow the current credential: its password, and its name
  expect(out.output!.push_password.value).toMatch(new RegExp(`^\\$\\{terraform_data\\.push_${current}_password_[0-9A-F]+\\.triggers_replace\\}$`));
  expect(out.output!.push_username).toEqual(expect.objectContaining({ value: `ci-push-${current}` }));
  expect(token.usernameOutputName).toBe('push_username');
});

test('a new period re-creates only the slot it names; the other keeps its key, so it is not touched', () => {
  const now = synthAt(NOW).creates;
  const next = synthAt(new Date(periodStart(30, P + 1).getTime() + DAY).toISOString()).creates;
  const current = P % 2 === 0 ? 'a' : 'b';
  const other = current === 'a' ? 'b' : 'a';
  expect(next[current]).toEqual(now[current]);
  expect(next[other].rotation_period).toBe(`30 days, period ${P + 1}`);
});

test('after the overlap the previous credential leaves the code (so the next deploy deletes it)', () => {
  const start = periodStart(30, P).getTime();
  expect(Object.keys(synthAt(new Date(start + 2 * DAY).toISOString(), { overlapDays: 3 }).specs)).toHaveLength(2);
  const after = synthAt(new Date(start + 3 * DAY).toISOString(), { overlapDays: 3 });
  expect(Object.keys(after.specs)).toEqual([`ci/push/${P % 2 === 0 ? 'a' : 'b'}`]);
});

test('the rules, each one line naming the prop', () => {
  const ok = { registryId: REGISTRY, name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], zeroDowntime: true, rotateEveryDays: 30 };
  const rule = (p: object) => checkTokenProps({ ...ok, ...p }).map((v) => `${v.prop}: ${v.rule}`);
  expect(rule({})).toEqual([]);
  expect(rule({ expiresAfterDays: 90, overlapDays: 7 })).toEqual([]);
  expect(rule({ rotateEveryDays: undefined })).toEqual(['zeroDowntime: needs rotateEveryDays (the period at which the two credentials alternate)']);
  expect(rule({ name: `a${'b'.repeat(61)}` })[0]).toMatch(/^name: must be at most 61 characters with zeroDowntime/);
  expect(rule({ overlapDays: 31 })[0]).toMatch(/^overlapDays: must be at most rotateEveryDays \(30\)/);
  expect(rule({ expiresAfterDays: 60 })[0]).toMatch(/^expiresAfterDays: must be more than rotateEveryDays \+ overlapDays \(60\)/);
  expect(rule({ adoptTokenId: REGISTRY })[0]).toMatch(/^adoptTokenId: must not be set with zeroDowntime/);
  expect(rule({ rotationTrigger: 'x' })[0]).toMatch(/^rotationTrigger: must not be set with zeroDowntime/);
  expect(rule({ removalPolicy: 'retain', overlapDays: 7 })[0]).toMatch(/^removalPolicy: must not be RETAIN/);
  expect(rule({ removalPolicy: 'retain' })).toEqual([]);
  expect(rule({ zeroDowntime: false, overlapDays: 7 })[0]).toMatch(/^overlapDays: must come with zeroDowntime: true/);
  expect(rule({ zeroDowntime: 'yes' })).toEqual(['zeroDowntime: must be true or false']);
});

test('a slot name taken by another token of the stack fails at synth, naming both paths', () => {
  const stack = newStack();
  new RegistryToken(stack, 'other', { ...base, zeroDowntime: undefined, rotateEveryDays: undefined, name: 'ci-push-b' });
  expect(() => new RegistryToken(stack, 'push', base)).toThrow('ci/push: name "ci-push-b" is already declared by ci/other in registry');
  expect(() => new RegistryToken(newStack(), 'push', { ...base, removalPolicy: RemovalPolicy.RETAIN, overlapDays: 2 })).toThrow(/^ci\/push: removalPolicy "retain" must not be RETAIN/);
});

test('each credential warns before it expires, and a rotation, which asks nothing of anyone, is not warned of', () => {
  const { out } = synthAt(NOW, { expiresAfterDays: 90 });
  const checks = (out as { check?: Record<string, { assert: { error_message: string }[] }> }).check ?? {};
  const messages = Object.values(checks).flatMap((c) => c.assert.map((a) => a.error_message));
  expect(messages).toHaveLength(2);
  expect(messages.every((m) => /^registry-token: token "ci-push-[ab]" \(ci\/push\/[ab]\) expires on /.test(m))).toBe(true);
  expect(Object.keys(synthAt(NOW).out.check ?? {})).toEqual([]);
});

test("with a hostname, the Docker config JSON is the current credential's", () => {
  const { token, out } = synthAt(NOW, { registryHostname: 'reg.cr.de-fra.ionos.com' });
  const current = P % 2 === 0 ? 'a' : 'b';
  const value = out.output!.push_docker_config_json.value as string;
  expect(value).toContain(`"username" = "ci-push-${current}"`);
  expect(value).toMatch(new RegExp(`terraform_data\\.push_${current}_password_[0-9A-F]+\\.triggers_replace`));
  expect(value).not.toMatch(new RegExp(`push_${current === 'a' ? 'b' : 'a'}_password`));
  expect(token.dockerConfigJsonOutputName).toBe('push_docker_config_json');
});
