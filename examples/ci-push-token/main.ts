// A CI push token: push and pull on the app's repositories, list the registry.
// In your project: import { RegistryToken, ... } from 'cdktf-ionos-registry-token';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

export function ciPushToken(scope: Construct, id = 'ci-push'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'ci-push',
    scopes: [
      { type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL, ScopeAction.PUSH] },
      { type: ScopeType.REGISTRY, name: '*', actions: [ScopeAction.PULL] },
    ],
  });
}

if (require.main === module) {
  const app = new App();
  ciPushToken(new TerraformStack(app, 'ci-push-token'));
  app.synth();
}
