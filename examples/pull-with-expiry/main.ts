// A read-only pull token for a deployment target, expiring in 90 days from the first synth date
// you pin (a fixed date keeps the plan stable; here: the date in TOKEN_EXPIRY or 2030-01-01).
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

export function pullWithExpiry(scope: Construct, id = 'deploy-pull'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'deploy-pull',
    scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
    expiryDate: process.env.TOKEN_EXPIRY ?? '2030-01-01T00:00:00Z',
  });
}

if (require.main === module) {
  const app = new App();
  pullWithExpiry(new TerraformStack(app, 'pull-with-expiry'));
  app.synth();
}
