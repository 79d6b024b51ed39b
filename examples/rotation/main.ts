// Rotation on purpose: change ROTATION (e.g. to this month, "2025-07") and deploy. The token is
// deleted and created again with the same name and id and a new password, captured into the state.
// Names are unique in a registry, so for about a second (between the DELETE and the PUT) neither the
// old nor the new password logs in; examples/rotation-blue-green rotates without that gap.
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

export function rotatedToken(scope: Construct, rotation = process.env.ROTATION ?? '2025-01', id = 'deploy-rotated'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'deploy-rotated',
    scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
    rotationTrigger: rotation,
  });
}

if (require.main === module) {
  const app = new App();
  rotatedToken(new TerraformStack(app, 'rotation'));
  app.synth();
}
