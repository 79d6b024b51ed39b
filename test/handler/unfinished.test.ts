import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { takeOverCommand } from '../../lib/handler/runner';
import { pulledUncapturedTargets, uncapturedTargets } from '../../lib/handler/unfinished';

const CDKTF_RUNNER = { cli: 'cdktf' as const, engine: 'terraform' };

const dyn = (value: unknown) => ({ value, type: typeof value === 'string' ? 'string' : ['object', {}] });
const inst = (attributes: Record<string, unknown>, status?: string) => ({ ...(status ? { status } : {}), schema_version: 0, attributes });
const res = (name: string, attributes: Record<string, unknown>, status?: string) => ({ mode: 'managed', type: 'terraform_data', name, provider: 'provider["terraform.io/builtin/terraform"]', instances: [inst(attributes, status)] });
const create = (p: string, extra: Record<string, unknown> = {}, status?: string) => res(`${p}_create_0000000${p.length}`, { id: `id-${p}`, triggers_replace: dyn({ token_id: `tok-${p}`, ...extra }) }, status);
const password = (p: string, held: string, adopt = false) =>
  res(`${p}_password_0000000${p.length}`, { id: `pw-${p}`, triggers_replace: dyn(held), input: dyn(JSON.stringify({ token_id: `tok-${p}`, name: p, registry_id: 'r', path: `s/${p}`, api_url: '', ...(adopt ? { adopt: 'true' } : {}) })) });

/** A state after a kill: captured, empty, missing, tainted, adopted (password "" by design), adopted without its password resource. */
const state = {
  version: 4,
  terraform_version: '1.11.4',
  serial: 3,
  lineage: 'l',
  outputs: {},
  resources: [
    create('done'), password('done', 'secret-1'),
    create('empty'), password('empty', ''),
    create('missing'),
    create('taint', {}, 'tainted'),
    create('adopted', { registry_id: 'r', name: 'adopted' }), password('adopted', '', true),
    create('adopt2', { registry_id: 'r', name: 'adopt2' }),
  ],
};

describe('the tokens a take-over creates again: untainted creates without a password in the state', () => {
  test('an empty password names create and password; a missing one its create; captured, tainted and adopted ones none', () => {
    expect(uncapturedTargets(state)).toEqual(['empty_create_00000005', 'empty_password_00000005', 'missing_create_00000007']);
  });

  test('a token this disk tried to create (its journal) is left to its steps: its password is on its way', () => {
    expect(uncapturedTargets(state, (id) => id === 'tok-empty')).toEqual(['missing_create_00000007']);
  });

  test('not a state: none', () => {
    expect(uncapturedTargets(null)).toEqual([]);
    expect(uncapturedTargets({ resources: 'x' })).toEqual([]);
  });

  test('read with the real engine (`terraform state pull`), as the take-over line does; an unreadable state gives none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-pull-'));
    try {
      fs.writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify(state));
      expect(pulledUncapturedTargets(undefined, 'terraform', process.env, () => false, dir)).toEqual(['empty_create_00000005', 'empty_password_00000005', 'missing_create_00000007']);
      // The synthesized configuration names the `password` partner the state does not hold yet.
      const partner = { lifecycle: { ignore_changes: ['triggers_replace'], replace_triggered_by: ['terraform_data.missing_create_00000007'] } };
      fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { terraform_data: { missing_create_00000007: {}, missing_password_00000007: partner } } }));
      expect(pulledUncapturedTargets(undefined, 'terraform', process.env, () => false, dir)).toEqual([
        'empty_create_00000005',
        'empty_password_00000005',
        'missing_create_00000007',
        'missing_password_00000007',
      ]);
      fs.writeFileSync(path.join(dir, 'terraform.tfstate'), '{ cut');
      expect(pulledUncapturedTargets(undefined, 'terraform', process.env, () => false, dir)).toEqual([]);
      expect(pulledUncapturedTargets(undefined, 'no-such-engine', process.env, () => false, dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the take-over command carries them: one deploy for the stack', () => {
    expect(takeOverCommand('prod', CDKTF_RUNNER, ['empty_create_00000005', 'empty_password_00000005'])).toBe(
      `IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:prod TF_CLI_ARGS_apply="-replace=terraform_data.'empty_create_00000005' -replace=terraform_data.'empty_password_00000005'" cdktf deploy prod`,
    );
    expect(takeOverCommand('prod', { engine: 'tofu' }, ['a_create_1'])).toBe(`IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:prod tofu -chdir=cdktf.out/stacks/prod apply -replace=terraform_data.'a_create_1'`);
    expect(takeOverCommand('prod', CDKTF_RUNNER)).toBe('IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:prod cdktf deploy prod');
  });
});
