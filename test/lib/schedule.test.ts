/** Rolling expiry and scheduled rotation: the periods, the dates, and "now" at synth. */
import { periodStart, rollingDaysOf, rollingExpiry, rollingExpiryWords, rotationPeriod, synthNow } from '../../lib/schedule';
import { checkSchedule, checkTokenProps } from '../../lib/validation';
import { desiredFrom, planUpdate, specDigest } from '../../lib/token-spec';
import type { ApiTokenResponse } from '../../lib/api-types';

const at = (s: string) => new Date(s);

test('a period only grows with time, changes once every N days, and every runner computes the same', () => {
  const p = rotationPeriod(30, at('2026-12-03T10:00:00Z'));
  expect(rotationPeriod(30, at('2026-12-03T23:59:59Z'))).toBe(p);
  const start = periodStart(30, p);
  expect(rotationPeriod(30, start)).toBe(p);
  expect(rotationPeriod(30, new Date(start.getTime() - 1))).toBe(p - 1);
  expect(rotationPeriod(30, new Date(start.getTime() + 30 * 86400_000))).toBe(p + 1);
  expect(periodStart(30, 685).toISOString()).toBe('2026-04-07T00:00:00.000Z');
});

test('a rolling expiry is the creation time plus the lifetime, to the second, and reads back from its words', () => {
  expect(rollingExpiry(at('2026-12-03T10:11:12.345Z'), 90)).toBe('2027-03-03T10:11:12Z');
  expect(rollingExpiryWords(90)).toBe('90 days after creation');
  expect([rollingDaysOf('90 days after creation'), rollingDaysOf('never'), rollingDaysOf('2027-01-01T00:00:00Z')]).toEqual([90, undefined, undefined]);
});

test('"now" at synth: the clock, or the documented test aid IONOS_REGISTRY_TOKEN_SYNTH_NOW', () => {
  expect(synthNow({ IONOS_REGISTRY_TOKEN_SYNTH_NOW: '2030-01-01T00:00:00Z' }).toISOString()).toBe('2030-01-01T00:00:00.000Z');
  expect(Math.abs(synthNow({}).getTime() - Date.now())).toBeLessThan(60_000);
  expect(() => synthNow({ IONOS_REGISTRY_TOKEN_SYNTH_NOW: 'soon' })).toThrow('IONOS_REGISTRY_TOKEN_SYNTH_NOW "soon" must be an RFC 3339 date');
});

test('the rules: whole days known at synth, a rolling or a fixed expiry, and a rotation before the expiry', () => {
  const base = { registryId: '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a', name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] };
  expect(checkTokenProps({ ...base, expiresAfterDays: 90, rotateEveryDays: 30 })).toEqual([]);
  expect(checkTokenProps({ ...base, expiresAfterDays: 0 })).toEqual([{ prop: 'expiresAfterDays', value: 0, rule: 'must be a whole number of days from 1 to 3650' }]);
  expect(checkTokenProps({ ...base, rotateEveryDays: 1.5 })).toEqual([{ prop: 'rotateEveryDays', value: 1.5, rule: 'must be a whole number of days from 1 to 3650' }]);
  expect(checkTokenProps({ ...base, rotateEveryDays: 'x' }, { isUnresolved: (v) => v === 'x' })[0].rule).toBe('must be known at synth (it decides when the token is rotated)');
  expect(checkSchedule({ expiresAfterDays: 90, expiryDate: '2030-01-01T00:00:00Z' })[0].rule).toMatch(/^must not be set with expiryDate/);
  expect(checkSchedule({ expiresAfterDays: 30, rotateEveryDays: 30 })[0]).toMatchObject({ prop: 'rotateEveryDays', rule: 'must be less than expiresAfterDays (30): the token must be rotated before it expires' });
});

test('an update keeps a rolling expiry; the entry and the create step agree on the spec (the fresh marker)', () => {
  const desired = desiredFrom('ci-push', { status: 'enabled', expiry: '90 days after creation', scopes: ['repository app/* pull'] });
  expect(desired).toMatchObject({ expiryDate: null, expiresAfterDays: 90 });
  const live = {
    id: 'x',
    properties: { name: 'ci-push', status: 'enabled', expiryDate: '2027-03-03T10:11:12Z', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }] },
  } as ApiTokenResponse;
  expect(planUpdate(live, desired).kind).toBe('none');
  expect(planUpdate(live, { ...desired, status: 'disabled' }).patch).toEqual({ status: 'disabled' });
  // the create step's spec (as the construct writes it) digests like the entry's
  const fromStep = { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull'] }], status: 'enabled', expiryDate: null, expiresAfterDays: 90 };
  expect(specDigest(fromStep)).toBe(specDigest(desired));
  expect(specDigest(fromStep)).not.toBe(specDigest({ ...fromStep, expiresAfterDays: 30 }));
});
