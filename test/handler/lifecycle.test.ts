import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../lib/handler/journal';
import { create, remove, StepContext, update } from '../../lib/handler/lifecycle';
import { specDigest, type DesiredToken } from '../../lib/token-spec';
import { FakeApi } from '../helper/fake-api';

const REGISTRY = '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a';
const TOKEN = '0c1d2e3f-4a5b-5c6d-8e7f-a0b1c2d3e4f5';
const desired: DesiredToken = {
  name: 'ci-push',
  scopes: [{ type: 'repository', name: 'app/*', actions: ['pull', 'push'] }],
  status: 'enabled',
  expiryDate: null,
};

let dir: string;
let api: FakeApi;
let logs: string[];
let debugs: string[];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-lifecycle-'));
  api = new FakeApi();
  logs = [];
  debugs = [];
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
    now: () => new Date('2026-11-24T10:00:00Z'),
    log: (l) => logs.push(l),
    debug: (l) => debugs.push(l),
    ...over,
    createId: over.createId ?? 'create-1',
  };
}

function resultOf(c: StepContext): { tokenId: string; password: string } {
  return JSON.parse(fs.readFileSync(c.journal.resultPath(TOKEN, c.createId!), 'utf8'));
}

describe('create', () => {
  test('one PUT; the password goes to a 0600 result file', async () => {
    const c = ctx();
    await create(c);
    expect(api.calls).toEqual(['GET', 'PUT']);
    const file = c.journal.resultPath(TOKEN, 'create-1');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resultOf(c).password).toMatch(/^pw-/);
    expect(logs.join('\n')).not.toContain(resultOf(c).password);
    expect(logs).toEqual(['create ci-push']);
  });

  test('a token left by an earlier interrupted create of this workspace is deleted and created again', async () => {
    // GIVEN an earlier create reached the API, then the handler died before writing the result
    const c = ctx();
    await c.journal.write({ tokenId: TOKEN, registryId: REGISTRY, name: 'ci-push', at: new Date(Date.now() - 1000).toISOString() });
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    api.calls.length = 0;
    // WHEN the create runs again (a new create resource after the taint)
    await create(ctx({ createId: 'create-2' }));
    // THEN it reads before it writes, then deletes its own token and creates it again
    expect(api.calls).toEqual(['GET', 'DELETE', 'PUT']);
    expect(resultOf(ctx({ createId: 'create-2' })).password).toMatch(/^pw-/);
    // one line for the user; the recovery only with the debug switch
    expect(logs).toEqual(['create ci-push']);
    expect(debugs).toEqual([expect.stringContaining('was left by an interrupted create; deleting it and creating it again')]);
  });

  test('a journal entry of an attempt that began after the token was created does not make it ours (a second workspace)', async () => {
    // GIVEN another workspace created the token an hour ago, and this one recorded an attempt later
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    api.tokens.get(TOKEN)!.metadata.createdDate = new Date(Date.now() - 3600_000).toISOString();
    const c = ctx();
    await c.journal.write({ tokenId: TOKEN, registryId: REGISTRY, name: 'ci-push', at: new Date(Date.now() - 60_000).toISOString() });
    api.calls.length = 0;
    // WHEN / THEN it refuses, and touches nothing
    await expect(create(c)).rejects.toThrow('this workspace has no record of creating it');
    expect(api.calls).toEqual(['GET']);
  });

  test('a refused create leaves no journal entry that would vouch for the token on the next run', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    const c = ctx();
    await expect(create(c)).rejects.toThrow('no record of creating it');
    expect(c.journal.read(TOKEN)).toBeUndefined();
    await expect(create(ctx())).rejects.toThrow('no record of creating it');
    expect(api.calls).toEqual(['PUT', 'GET', 'GET']);
  });

  test('a rolling expiry: the create sets the expiry to its own time plus the lifetime', async () => {
    await create(ctx({ desired: { ...desired, expiresAfterDays: 90 } }));
    expect(api.tokens.get(TOKEN)!.properties.expiryDate).toBe('2027-02-22T10:00:00Z');
  });

  test("a rolling expiry counts from the API's clock when the API gave one, not the runner's", async () => {
    api.serverNow = () => new Date('2027-06-01T08:30:00Z');
    await create(ctx({ desired: { ...desired, expiresAfterDays: 90 } }));
    expect(api.tokens.get(TOKEN)!.properties.expiryDate).toBe('2027-08-30T08:30:00Z');
  });

  test('a retried attempt keeps the time of the first one in the journal', async () => {
    const first = new Date(Date.now() - 5000).toISOString();
    const c = ctx();
    await c.journal.write({ tokenId: TOKEN, registryId: REGISTRY, name: 'ci-push', at: first });
    await create(c);
    expect(c.journal.read(TOKEN)!.at).toBe(first);
  });

  test('IONOS_REGISTRY_TOKEN_TAKE_OVER may name several ids, separated by commas', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    api.calls.length = 0;
    await create(ctx({ takeOver: `00000000-0000-4000-8000-000000000001, ${TOKEN.toUpperCase()}` }));
    expect(api.calls).toEqual(['GET', 'DELETE', 'PUT']);
  });

  test.each([504, 502, 0])('a create whose answer was lost (%s) reads the token before anything else, then re-creates its own', async (status) => {
    api.loseNextPutAnswer = status;
    await create(ctx());
    expect(api.calls).toEqual(['GET', 'PUT', 'GET', 'DELETE', 'PUT']);
    expect(resultOf(ctx()).password).toMatch(/^pw-/);
  });

  test.each([
    [undefined, 3],
    [2, 3],
    [7, 7],
  ])('with %s attempts per call, a create whose answers keep getting lost makes %s rounds, then fails', async (attempts, rounds) => {
    api.attempts = attempts;
    api.loseNextPutAnswer = 502;
    api.lostPutAnswers = 100;
    await expect(create(ctx())).rejects.toThrow('answer lost');
    const round = ['GET', 'DELETE', 'PUT'];
    expect(api.calls).toEqual(['GET', 'PUT', ...Array.from({ length: rounds - 1 }, () => round).flat()]);
  });

  test('lost answers within the rounds still end with one token and its password', async () => {
    api.attempts = 5;
    api.loseNextPutAnswer = 504;
    api.lostPutAnswers = 4;
    await create(ctx());
    expect(api.calls.filter((c) => c === 'PUT')).toHaveLength(5);
    expect(api.tokens.size).toBe(1);
    expect(resultOf(ctx()).password).toMatch(/^pw-/);
  });

  test('a token another workspace created while our answer was lost is never written to', async () => {
    // GIVEN our PUT's answer is lost, and the token found then was created before our first attempt
    const c = ctx();
    await c.journal.write({ tokenId: TOKEN, registryId: REGISTRY, name: 'ci-push', at: new Date(Date.now() + 3600_000).toISOString() });
    api.loseNextPutAnswer = 504;
    // WHEN / THEN it refuses after reading, and never deletes or writes again
    await expect(create(c)).rejects.toThrow('no record of creating it, so nothing was changed');
    expect(api.calls).toEqual(['GET', 'PUT', 'GET']);
  });

  test('a PUT that replaced instead of creating (another writer raced us) fails and says so', async () => {
    const c = ctx();
    const realGet = api.getToken.bind(api);
    // GIVEN the token appears between our read and our write
    api.getToken = async (r, id) => {
      const seen = await realGet(r, id);
      await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
      return seen;
    };
    await expect(create(c)).rejects.toThrow('was created by someone else between this create');
  });

  test('fails if the token exists and this workspace never started creating it, naming the take-over command', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    const takeOverCommand = () => ({ command: 'IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:ci cdktf deploy ci', recreate: 0 });
    await expect(create(ctx({ takeOverCommand }))).rejects.toThrow(/with every other token it refused this way: IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:ci cdktf deploy ci$/);
    expect(api.tokens.size).toBe(1);
    expect(api.calls).not.toContain('DELETE');
  });

  test('a take-over that also re-creates tokens without a password says so, with the one command for both', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    const command = `IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:ci TF_CLI_ARGS_apply="-replace=terraform_data.'a_create_1'" cdktf deploy ci`;
    await expect(create(ctx({ takeOverCommand: () => ({ command, recreate: 1 }) }))).rejects.toThrow(
      `with every other token it refused this way (the same deploy creates again the 1 token(s) whose password never reached the state): ${command}`,
    );
    expect(api.calls).not.toContain('DELETE');
  });

  test('IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:<name> takes over the tokens of that stack only', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    // another stack's name (the path starts with the stack: "ci/push-token"), or a prefix of it: refused, nothing written
    for (const takeOver of ['stack:other', 'stack:c', 'stack:ci/push-token', 'ci']) {
      api.calls.length = 0;
      await expect(create(ctx({ takeOver }))).rejects.toThrow('no record of creating it');
      expect(api.calls).toEqual(['GET']);
    }
    api.calls.length = 0;
    await create(ctx({ takeOver: 'stack:prod, stack:ci' }));
    expect(api.calls).toEqual(['GET', 'DELETE', 'PUT']);
    expect(resultOf(ctx()).password).toMatch(/^pw-/);
  });

  test('the take-over variable lets it delete and re-create that one token', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    await create(ctx({ takeOver: TOKEN }));
    expect(resultOf(ctx()).password).toMatch(/^pw-/);
  });

  test('fails before any call if a rule is broken (values that were unresolved at synth)', async () => {
    await expect(create(ctx({ desired: { ...desired, name: '1abc' } }))).rejects.toThrow(
      'ci/push-token: name "1abc" must start with a letter a-z',
    );
    await expect(create(ctx({ desired: { ...desired, expiryDate: '2026-11-24T10:30:00Z' } }))).rejects.toThrow(
      'ci/push-token: expiryDate "2026-11-24T10:30:00Z" must be at least one hour in the future',
    );
    // an adopted id known only at apply names files: a path in it is refused before anything
    await expect(create(ctx({ tokenId: '../../etc/x', adopt: true }))).rejects.toThrow('ci/push-token: adoptTokenId "../../etc/x" must be a uuid');
    expect(api.calls).toEqual([]);
  });
});

describe('update', () => {
  test('a create leaves the marker that tells the specs step the token was just made with this spec, named by create id and spec digest', async () => {
    const c = ctx();
    await create(c);
    const work = path.join(dir, '.registry-token');
    expect(fs.readdirSync(work).filter((f) => f.endsWith('.fresh'))).toEqual([`${TOKEN}.create-1.${specDigest(desired)}.fresh`]);
    // a later create of the same token (say after a taint) clears stale markers and results first
    const other = { ...desired, status: 'disabled' };
    await create(ctx({ createId: 'create-2', desired: other, takeOver: TOKEN }));
    expect(fs.readdirSync(work).filter((f) => f.endsWith('.fresh'))).toEqual([`${TOKEN}.create-2.${specDigest(other)}.fresh`]);
  });
  test('an adopted token gets no marker: its spec step must read and align it', async () => {
    await api.putToken(REGISTRY, TOKEN, { name: 'ci-push' });
    await create(ctx({ adopt: true }));
    const work = path.join(dir, '.registry-token');
    expect(fs.readdirSync(work).filter((f) => f.endsWith('.fresh'))).toEqual([]);
  });
  test('when the handler runs, the update always reads: same spec → GET only', async () => {
    await create(ctx());
    api.calls.length = 0;
    await update(ctx());
    expect(api.calls).toEqual(['GET']);
  });
  test('status change: GET then PATCH', async () => {
    await create(ctx());
    api.calls.length = 0;
    await update(ctx({ desired: { ...desired, status: 'disabled' } }));
    expect(api.calls).toEqual(['GET', 'PATCH']);
    expect(api.tokens.get(TOKEN)!.properties.status).toBe('disabled');
    expect(logs).toEqual(['create ci-push', 'ci-push: status enabled → disabled (PATCH, password kept)']);
  });
  test('scopes change: GET then PUT, password kept', async () => {
    await create(ctx());
    api.calls.length = 0;
    await update(ctx({ desired: { ...desired, scopes: [{ type: 'repository', name: '*', actions: ['pull'] }] } }));
    expect(api.calls).toEqual(['GET', 'PUT']);
    expect(api.tokens.get(TOKEN)!.properties.credentials.password).toBe('kept');
    expect(logs.at(-1)).toBe('ci-push: scopes +repository * pull, scopes -repository app/* pull,push (PUT, password kept)');
  });
  test('nothing differs: GET only, and no line but with the debug switch', async () => {
    await create(ctx());
    api.calls.length = 0;
    logs.length = 0;
    await update(ctx({ createId: 'another' }));
    expect(api.calls).toEqual(['GET']);
    expect(logs).toEqual([]);
    expect(debugs).toEqual([expect.stringContaining('is as declared; nothing to change')]);
  });
  test('fails if the token is gone, naming the command that re-creates it', async () => {
    await expect(update(ctx({ createId: 'x', replaceHint: 'terraform apply -replace=terraform_data.id' }))).rejects.toThrow(
      /no longer exists: it was deleted outside this stack, or it expired .* run: terraform apply -replace=terraform_data.id/,
    );
  });
  test('an unchanged expiry nearer than an hour does not block another change', async () => {
    const soon = '2026-11-24T10:30:00Z';
    api.tokens.set(TOKEN, (await api.putToken(REGISTRY, TOKEN, { ...desired, expiryDate: soon })).token);
    await update(ctx({ createId: 'x', desired: { ...desired, expiryDate: soon, status: 'disabled' } }));
    expect(api.calls.slice(-2)).toEqual(['GET', 'PATCH']);
  });
});

describe('delete', () => {
  test('an id that is no uuid never made a token: nothing to delete, no call, no failure', async () => {
    await remove(ctx({ registryId: 'not-a-uuid' }));
    expect(api.calls).toEqual([]);
    expect(logs).toEqual([]);
    expect(debugs.at(-1)).toContain('was never created (registryId "not-a-uuid" must be a uuid');
  });
  test('DELETE, and already gone is fine', async () => {
    await create(ctx());
    await remove(ctx(), 'removed from the code');
    expect(api.tokens.size).toBe(0);
    await remove(ctx());
    expect(logs).toEqual(['create ci-push', 'delete ci-push (removed from the code)', 'delete ci-push (already gone)']);
    expect(fs.readdirSync(path.join(dir, '.registry-token'))).toEqual([]);
  });
});

describe('adopt (prop adoptTokenId)', () => {
  function seed(name = 'ci-push') {
    api.tokens.set(TOKEN, {
      id: TOKEN,
      properties: { name, status: 'disabled', expiryDate: null, scopes: [{ type: 'repository', name: 'old/*', actions: ['pull'] }], credentials: { username: name, password: 'outside' } },
    } as never);
  }

  test('a token found at the id is adopted: one GET, no write, password unknown (""); the update then applies the spec', async () => {
    seed();
    const c = ctx({ adopt: true });
    await create(c);
    expect(api.calls).toEqual(['GET']);
    expect(resultOf(c).password).toBe('');
    expect(c.journal.read(TOKEN)).toMatchObject({ adopted: true });
    expect(logs).toEqual(['adopt ci-push (its password is unknown, empty in the state: rotate it with rotationTrigger to get one)']);
    await update(c);
    expect(api.calls).toEqual(['GET', 'GET', 'PUT']);
    expect(api.tokens.get(TOKEN)!.properties.status).toBe('enabled');
  });

  test('running the create again (a replaced create resource) adopts again: never DELETE', async () => {
    seed();
    await create(ctx({ adopt: true }));
    await create(ctx({ adopt: true, createId: 'create-2' }));
    expect(api.calls).toEqual(['GET', 'GET']);
  });

  test('fails if the token at the id has another name', async () => {
    seed('someone-else');
    await expect(create(ctx({ adopt: true }))).rejects.toThrow(
      `ci/push-token: cannot adopt token "ci-push" (id ${TOKEN}, registry ${REGISTRY}): the token at this id is named "someone-else"; set name to the live name (names cannot change in place), or fix adoptTokenId`,
    );
    expect(api.calls).toEqual(['GET']);
  });

  test('no token at the id (deleted by a rotation or rename of this stack): it is created there, with a password', async () => {
    const c = ctx({ adopt: true });
    await create(c);
    expect(api.calls).toEqual(['GET', 'PUT']);
    expect(resultOf(c).password).toMatch(/^pw-/);
    expect(logs).toEqual(['create ci-push (no token to adopt at its id)']);
  });
});
