/**
 * One package serves both cores: a RegistryToken in a cdktf stack is made of cdktf resources, one in a
 * CDK Terrain (cdktn) stack of cdktn resources, and each synthesizes the same Terraform JSON.
 */
import * as cdktf from 'cdktf';
import * as cdktn from 'cdktn';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { coreOf } from '../../lib/core';

const config = {
  registryId: '5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a',
  name: 'both-cores',
  scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
};

function synthOn(core: typeof cdktf): { json: any; token: RegistryToken; stack: cdktf.TerraformStack } {
  const app = core.Testing.app();
  const stack = new core.TerraformStack(app, 'ci');
  const token = new RegistryToken(stack, 'tok', config);
  return { json: JSON.parse(core.Testing.synth(stack)), token, stack };
}

test('a token in a cdktn stack is made of cdktn resources, in a cdktf stack of cdktf ones', () => {
  const onTerrain = synthOn(cdktn as unknown as typeof cdktf);
  const onCdktf = synthOn(cdktf);
  expect(coreOf(onTerrain.stack)).toBe(cdktn);
  expect(coreOf(onCdktf.stack)).toBe(cdktf);
  const resources = (t: RegistryToken) => t.node.findAll().filter((c) => c.node.id === 'create' || c.node.id === 'password');
  for (const r of resources(onTerrain.token)) expect(r).toBeInstanceOf(cdktn.TerraformElement);
  for (const r of resources(onCdktf.token)) expect(r).toBeInstanceOf(cdktf.TerraformElement);
  for (const r of resources(onCdktf.token)) expect(r).not.toBeInstanceOf(cdktn.TerraformElement);
});

test('both cores synthesize the same resources, triggers and steps (the asset folder aside: each core hashes it its own way)', () => {
  const strip = (json: any) => {
    const data = JSON.parse(JSON.stringify(json.resource.terraform_data).replace(/ionos-registry-token-handler\/[0-9A-F]+\//g, 'ionos-registry-token-handler/<hash>/'));
    return Object.fromEntries(Object.entries(data).map(([k, v]: [string, any]) => [k, { ...v, '//': undefined }]));
  };
  expect(strip(synthOn(cdktn as unknown as typeof cdktf).json)).toEqual(strip(synthOn(cdktf).json));
});

test('outside any stack: one line naming the construct path', () => {
  const root = new Construct(undefined as any, '');
  expect(() => new RegistryToken(new Construct(root, 'loose'), 'tok', config)).toThrow(
    /^loose\/tok: a RegistryToken must be inside a TerraformStack of cdktf or cdktn \(loaded: cdktf or cdktn\)$/,
  );
});
