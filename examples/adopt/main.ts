// Bring a token made elsewhere (console, API, another tool) under management without re-creating
// it: ADOPT_TOKEN_ID is its id, and `name` must be its name. The first deploy reads it, then applies
// the declared status, expiry and scopes by diff (PATCH or PUT, never DELETE). Its password cannot be
// read from the API, so the password output is "" until you rotate: set ROTATION and deploy (the
// token is deleted and created again at the same id with a new password, captured into the state).
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

export function adoptedToken(scope: Construct, tokenId: string, rotation = process.env.ROTATION, id = 'legacy-ci'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'legacy-ci',
    scopes: [{ type: ScopeType.REPOSITORY, name: 'legacy/*', actions: [ScopeAction.PULL, ScopeAction.PUSH] }],
    adoptTokenId: tokenId,
    rotationTrigger: rotation,
  });
}

if (require.main === module) {
  const tokenId = process.env.ADOPT_TOKEN_ID;
  if (!tokenId) {
    process.stderr.write('set ADOPT_TOKEN_ID to the id of the existing token named "legacy-ci"\n');
    process.exit(1);
  }
  const app = new App();
  adoptedToken(new TerraformStack(app, 'adopt'), tokenId);
  app.synth();
}
