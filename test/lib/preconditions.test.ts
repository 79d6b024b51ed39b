/** Preconditions render as Terraform expressions for every prop that is unresolved at synth. */
import { TerraformVariable } from 'cdktf';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { newStack, synth } from '../helper/synth';

test('every prop unresolved at synth gets one precondition, naming the path and prop, with nothing left undefined', () => {
  const stack = newStack();
  const v = (name: string, type = 'string') => new TerraformVariable(stack, name, { type }).stringValue;
  const n = (name: string) => new TerraformVariable(stack, name, { type: 'number' }).numberValue;
  new RegistryToken(stack, 'vars', {
    registryId: v('registry'),
    name: v('name'),
    status: v('status') as never,
    expiryDate: v('expiry'),
    adoptTokenId: v('adopt'),
    registryHostname: v('host'),
    apiUrl: v('url'),
    maxAttempts: n('attempts'),
    totalTimeoutSeconds: n('budget'),
    scopes: [{ type: ScopeType.REPOSITORY, name: v('scope'), actions: [ScopeAction.PULL] }],
  });
  const create = Object.entries(synth(stack).resource.terraform_data).find(([k]) => k.startsWith('vars_create_'))![1] as any;
  const preconditions: Array<{ condition: string; error_message: string }> = create.lifecycle.precondition;
  const props = preconditions.map((p) => /^ci\/vars: (\S+) "/.exec(p.error_message)?.[1]);
  expect(props).toEqual(['registryId', 'adoptTokenId', 'name', 'status', 'expiryDate', 'registryHostname', 'apiUrl', 'maxAttempts', 'totalTimeoutSeconds', 'scopes[0].name']);
  for (const p of preconditions) {
    expect(p.condition).toMatch(/^\$\{.*\}$/);
    expect(p.condition).not.toMatch(/\bundefined\b|\bnull\b/);
    expect(p.error_message).toMatch(/\$\{var\.\w+\}/);
  }
});
