/** Plan warnings before a token expires or rotates: the events, the window, the words, and the check blocks synthesized. */
import { TerraformVariable } from 'cdktf';
import { RegistryToken, RegistryTokenConfig, ScopeAction, ScopeType } from '../../lib';
import { DEFAULT_EXPIRY_WARNING_DAYS, warnedEvents, warningText, warningWindowDays } from '../../lib/expiry-warnings';
import { periodStart, rotationPeriod } from '../../lib/schedule';
import { checkTokenProps } from '../../lib/validation';
import { newStack, synth } from '../helper/synth';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const base: RegistryTokenConfig = { registryId: REGISTRY, name: 'ci-push', scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }] };
const NOW = new Date('2026-12-03T10:00:00Z');

test('the window: 14 days, or half the rotation period when that is shorter; a value given is kept', () => {
  expect(DEFAULT_EXPIRY_WARNING_DAYS).toBe(14);
  expect(warningWindowDays({})).toBe(14);
  expect(warningWindowDays({ rotateEveryDays: 30 })).toBe(14);
  expect(warningWindowDays({ rotateEveryDays: 7 })).toBe(3);
  expect(warningWindowDays({ rotateEveryDays: 7, expiryWarningDays: 5 })).toBe(5);
  expect(warningWindowDays({ expiryWarningDays: 0 })).toBe(0);
});

test('the events: a fixed expiry, a rolling one (from the creation), and the next scheduled rotation', () => {
  const t = { path: 'ci/ci-push', name: 'ci-push' };
  expect(warnedEvents(t, NOW)).toEqual([]);
  expect(warnedEvents({ ...t, expiryDate: null }, NOW)).toEqual([]);
  expect(warnedEvents({ ...t, expiryDate: '2027-01-01T00:00:00Z' }, NOW)).toEqual([{ kind: 'expires', at: '2027-01-01T00:00:00Z' }]);
  // 2026-12-03 lies in the 30-day period that began on 2026-12-03 (period 686): the next begins 2027-01-02
  expect(warnedEvents({ ...t, expiresAfterDays: 90, rotateEveryDays: 30 }, NOW)).toEqual([
    { kind: 'expires', afterDays: 90 },
    { kind: 'rotates', at: '2027-01-02T00:00:00Z', everyDays: 30 },
  ]);
});

test('the words: one line naming the token and its path, the date, what happens and what to do', () => {
  const t = { path: 'ci/ci-push', name: 'ci-push' };
  expect(warningText(t, { kind: 'expires', at: 'x' }, '2027-01-01T00:00:00Z', '14')).toBe(
    'registry-token: token "ci-push" (ci/ci-push) expires on 2027-01-01T00:00:00Z, within 14 days, and the API then deletes it: set a later expiryDate and deploy',
  );
  expect(warningText(t, { kind: 'expires', afterDays: 90 }, 'D', '14')).toBe(
    'registry-token: token "ci-push" (ci/ci-push) expires on D (90 days after its creation), within 14 days, and the API then deletes it: change rotationTrigger and deploy: a rotation sets a new expiry',
  );
  expect(warningText({ ...t, rotateEveryDays: 30 }, { kind: 'expires', afterDays: 90 }, 'D', '14')).toMatch(
    /: deploy on or after its next scheduled rotation \(every 30 days\), or change rotationTrigger and deploy: a rotation sets a new expiry$/,
  );
  expect(warningText(t, { kind: 'rotates', at: 'x', everyDays: 30 }, '2027-01-02T00:00:00Z', '14')).toBe(
    'registry-token: token "ci-push" (ci/ci-push) rotates at the first deploy on or after 2027-01-02T00:00:00Z, within 14 days (every 30 days): it gets a new password; deploy then, and update anything that holds a copy of the password',
  );
});

test('the rule: 0 to 3650 whole days, shorter than the rotation period; unresolved values are left to the plan', () => {
  expect(checkTokenProps({ ...base, expiryWarningDays: 0 })).toEqual([]);
  expect(checkTokenProps({ ...base, expiryWarningDays: -1 })).toEqual([{ prop: 'expiryWarningDays', value: -1, rule: 'must be a whole number of days from 0 (no warnings) to 3650' }]);
  expect(checkTokenProps({ ...base, expiryWarningDays: 'w' }, { isUnresolved: (v) => v === 'w' })).toEqual([]);
  const stack = newStack();
  expect(() => new RegistryToken(stack, 'push', { ...base, expiryWarningDays: 2.5 })).toThrow('ci/push: expiryWarningDays 2.5 must be a whole number of days from 0 (no warnings) to 3650');
  expect(() => new RegistryToken(stack, 'weekly', { ...base, name: 'weekly', expiresAfterDays: 30, rotateEveryDays: 7, expiryWarningDays: 7 })).toThrow(
    'ci/weekly: expiryWarningDays 7 must be less than rotateEveryDays (7): a longer window warns on every plan',
  );
});

describe('synthesized', () => {
  test('a fixed expiry: one check block, comparing the date with the plan time plus the window', () => {
    const stack = newStack();
    new RegistryToken(stack, 'push', { ...base, expiryDate: '2030-01-01T00:00:00Z' });
    const out = synth(stack);
    const [createId] = Object.keys(out.resource.terraform_data).filter((k) => k.startsWith('push_create'));
    const checks = out.check as Record<string, any>;
    expect(Object.keys(checks)).toEqual([expect.stringMatching(/^push_expiry-warning_[0-9A-F]{8}$/)]);
    expect(Object.values(checks)[0]).toEqual({
      assert: [
        {
          condition: `\${((timecmp("2030-01-01T00:00:00Z", timeadd(plantimestamp(), "336h")) == 1) || !can(terraform_data.${createId}.triggers_replace))}`,
          error_message: 'registry-token: token "ci-push" (ci/push) expires on 2030-01-01T00:00:00Z, within 14 days, and the API then deletes it: set a later expiryDate and deploy',
        },
      ],
    });
  });

  test('a rolling expiry: create records the plan time once (ignore_changes), and the check counts from it; the rotation is known at synth', () => {
    const rotationStart = periodStart(30, rotationPeriod(30, new Date()) + 1).toISOString().replace('.000Z', 'Z');
    const stack = newStack();
    // an unresolved name gives create a precondition: ignore_changes joins it
    const name = new TerraformVariable(stack, 'name', { type: 'string' });
    new RegistryToken(stack, 'push', { ...base, name: name.stringValue, expiresAfterDays: 90, rotateEveryDays: 30, expiryWarningDays: 20 });
    const out = synth(stack);
    const [createId, create] = Object.entries(out.resource.terraform_data).find(([k]) => k.startsWith('push_create'))!;
    expect(create.input).toBe('${plantimestamp()}');
    expect(create.lifecycle.ignore_changes).toEqual(['input']);
    expect(create.lifecycle.precondition).toHaveLength(1);
    const [rolling, rotation] = (Object.values(out.check as Record<string, any>)[0] as any).assert;
    const expiry = `timeadd(terraform_data.${createId}.input, "2160h")`;
    expect(rolling).toEqual({
      condition: `\${try((timecmp(${expiry}, timeadd(plantimestamp(), "480h")) == 1), true)}`,
      error_message: `registry-token: token "\${var.name}" (ci/push) expires on \${try(${expiry}, "an unknown date")} (90 days after its creation), within 20 days, and the API then deletes it: deploy on or after its next scheduled rotation (every 30 days), or change rotationTrigger and deploy: a rotation sets a new expiry`,
    });
    expect(rotation.condition).toBe(`\${((timecmp("${rotationStart}", timeadd(plantimestamp(), "480h")) == 1) || !can(terraform_data.${createId}.triggers_replace))}`);
  });

  test('an expiry and a window known only to the plan: expressions, and no warning for an expiry it lacks', () => {
    const stack = newStack();
    const expiry = new TerraformVariable(stack, 'expiry', { type: 'string' });
    const days = new TerraformVariable(stack, 'days', { type: 'number' });
    new RegistryToken(stack, 'push', { ...base, expiryDate: expiry.stringValue, expiryWarningDays: days.numberValue });
    const [assertion] = (Object.values(synth(stack).check as Record<string, any>)[0] as any).assert;
    expect(assertion).toEqual({
      condition: '${try((timecmp(var.expiry, timeadd(plantimestamp(), format("%dh", (var.days * 24)))) == 1), true)}',
      error_message: 'registry-token: token "ci-push" (ci/push) expires on ${try(var.expiry, "an unknown date")}, within ${var.days} days, and the API then deletes it: set a later expiryDate and deploy',
    });
  });

  test('nothing to warn about, or a window of 0: no check block, and create as before (no input)', () => {
    const stack = newStack();
    new RegistryToken(stack, 'never', base);
    new RegistryToken(stack, 'off', { ...base, name: 'off', expiryDate: '2030-01-01T00:00:00Z', expiryWarningDays: 0 });
    const out = synth(stack);
    expect(out.check).toBeUndefined();
    for (const [k, r] of Object.entries(out.resource.terraform_data)) if (k.includes('_create_')) expect([k, r.input, r.lifecycle]).toEqual([k, undefined, undefined]);
  });
});
