/** The hostname lookup of a create (prop `lookupRegistryHostname`): read first, written beside the password. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiError } from '../../lib/client/api-error';
import { describeFailure, who } from '../../lib/handler/errors';
import { Journal } from '../../lib/handler/journal';
import { create, StepContext } from '../../lib/handler/lifecycle';
import { parseStep } from '../../lib/handler/step';
import type { DesiredToken } from '../../lib/token-spec';
import { FakeApi } from '../helper/fake-api';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const TOKEN = '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e4f5';
const desired: DesiredToken = { name: 'ci-push', scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }], status: 'enabled', expiryDate: null };

let dir: string;
let api: FakeApi;
let logs: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-hostname-'));
  api = new FakeApi();
  logs = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function ctx(over: Partial<StepContext> = {}): StepContext & { createId: string } {
  return {
    api,
    journal: new Journal(path.join(dir, '.registry-token')),
    registryId: REGISTRY,
    tokenId: TOKEN,
    desired,
    path: 'ci/push-token',
    lookupHostname: true,
    now: () => new Date('2026-11-24T10:00:00Z'),
    log: (l) => logs.push(l),
    ...over,
    createId: 'create-1',
  };
}

const resultOf = (c: StepContext & { createId: string }) => JSON.parse(fs.readFileSync(c.journal.resultPath(TOKEN, c.createId), 'utf8'));

/** The line the entry point prints for a failed create. */
async function failureOf(c: StepContext & { createId: string }): Promise<string> {
  const err = await create(c).then(() => undefined, (e: unknown) => e);
  expect(err).toBeDefined();
  return describeFailure('create', who(c.path, c.desired.name, c.tokenId), err);
}

describe('create with lookupHostname', () => {
  test('reads the registry first, then GET + PUT; the hostname goes beside the password in the 0600 result file', async () => {
    const c = ctx();
    await create(c);
    expect(api.calls).toEqual(['GET registry', 'GET', 'PUT']);
    const result = resultOf(c);
    expect(result).toEqual({ tokenId: TOKEN, password: expect.stringMatching(/^pw-/), hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' });
    expect(fs.statSync(c.journal.resultPath(TOKEN, 'create-1')).mode & 0o777).toBe(0o600);
  });

  test('without it: no registry call, and the result file is as it was (tokenId and password only)', async () => {
    const c = ctx({ lookupHostname: undefined });
    await create(c);
    expect(api.calls).toEqual(['GET', 'PUT']);
    expect(Object.keys(resultOf(c))).toEqual(['tokenId', 'password']);
  });

  test('an adopted token: the hostname is read too, its password stays unknown', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    api.calls.length = 0;
    const c = ctx({ adopt: true });
    await create(c);
    expect(api.calls).toEqual(['GET registry', 'GET']);
    expect(resultOf(c)).toEqual({ tokenId: TOKEN, password: '', hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' });
  });

  test.each([
    [503, 'injected fault fault-1: service unavailable', 'the API is unavailable or busy: run the deploy again'],
    [404, 'registry 5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a not found', 'check registryId: no registry has this id'],
    [403, 'forbidden', 'check IONOS_TOKEN, or IONOS_USERNAME and IONOS_PASSWORD, and that the user may read this registry'],
  ])('fails if the lookup answers %i: one line (token, call, status, API message, next step), and nothing is written', async (status, message, next) => {
    // GIVEN the registry's GET fails
    api.registry = new ApiError({ operation: 'GET registry', subject: REGISTRY, status, apiMessages: [message], retriable: status === 503, detail: `HTTP ${status} ${message}` });
    const c = ctx();
    // WHEN
    const line = await failureOf(c);
    // THEN one line that says it all
    expect(line).toBe(
      `registry-token: create failed: ci/push-token: token "ci-push" (id ${TOKEN}, registry ${REGISTRY}): the registry's hostname could not be read (lookupRegistryHostname), ` +
        `so the token was not created: GET registry ${REGISTRY}: HTTP ${status} ${message}; ${next}, or set registryHostname instead of lookupRegistryHostname`,
    );
    expect(line).not.toContain('\n');
    // no token call, no token, no journal, no result file: no password to lose
    expect(api.calls).toEqual(['GET registry']);
    expect(api.tokens.size).toBe(0);
    expect(fs.existsSync(path.join(dir, '.registry-token'))).toBe(false);
    // the next deploy (the API back) creates it, with its hostname
    api.registry = { hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' };
    await create(c);
    expect(resultOf(c).hostname).toBe('registry-5b2a4e1c.cr.de-fra.ionos.com');
  });

  test('a lookup that fails after an interrupted create leaves that token and its record for the next run', async () => {
    // GIVEN an earlier run's PUT created the token and lost its answer, then its re-read failed
    const first = ctx();
    api.loseNextPutAnswer = 504;
    api.lostPutAnswers = 3;
    await expect(create(first)).rejects.toThrow();
    const journal = first.journal.read(TOKEN);
    expect(journal).toBeDefined();
    expect(api.tokens.has(TOKEN)).toBe(true);
    // WHEN this run's lookup fails
    api.calls.length = 0;
    api.registry = new ApiError({ operation: 'GET registry', subject: REGISTRY, status: 0, code: 'ECONNRESET', retriable: true, detail: 'no response: socket hang up' });
    await expect(create(ctx())).rejects.toThrow(/the registry's hostname could not be read .*no response: socket hang up; the API is unavailable or busy/);
    // THEN nothing was touched, and the record still vouches for the token
    expect(api.calls).toEqual(['GET registry']);
    expect(first.journal.read(TOKEN)).toEqual(journal);
    // and the next run takes it back (delete, PUT) with a password and the hostname
    api.registry = { hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' };
    const next = ctx();
    await create(next);
    expect(resultOf(next)).toEqual({ tokenId: TOKEN, password: expect.stringMatching(/^pw-/), hostname: 'registry-5b2a4e1c.cr.de-fra.ionos.com' });
  });

  test('fails if the API answers a hostname that is not one, before any token call', async () => {
    api.registry = { hostname: 'https://evil.example/${path.root}' };
    const line = await failureOf(ctx());
    expect(line).toMatch(/the registry's hostname could not be read \(lookupRegistryHostname\), so the token was not created: GET registry .* answered properties\.hostname "https:\/\/evil\.example\/\$\{path\.root\}" must be a hostname .*; report it with this line, or set registryHostname instead of lookupRegistryHostname$/);
    expect(api.calls).toEqual(['GET registry']);
  });
});

describe('the create step', () => {
  const step = { op: 'create', path: 'ci/push-token', registryId: REGISTRY, tokenId: TOKEN, apiUrl: '', spec: desired, createId: 'c-1' };
  test('carries lookupHostname only when true', () => {
    expect(parseStep(JSON.stringify({ ...step, lookupHostname: true }))).toMatchObject({ lookupHostname: true });
    expect(parseStep(JSON.stringify(step))).not.toHaveProperty('lookupHostname');
    expect(parseStep(JSON.stringify({ ...step, lookupHostname: 'yes' }))).not.toHaveProperty('lookupHostname');
  });
});
