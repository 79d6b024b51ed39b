// A token kept but switched off: it exists, its password is in state, and it cannot log in.
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType, TokenStatus } from '../../lib';
import { registryId } from '../registry';

export function disabledToken(scope: Construct, id = 'break-glass'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'break-glass',
    status: TokenStatus.DISABLED,
    scopes: [{ type: ScopeType.REPOSITORY, name: '*', actions: [ScopeAction.PULL, ScopeAction.PUSH, ScopeAction.DELETE] }],
  });
}

if (require.main === module) {
  const app = new App();
  disabledToken(new TerraformStack(app, 'disabled-token'));
  app.synth();
}
