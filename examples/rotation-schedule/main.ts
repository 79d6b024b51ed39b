// Credentials that look after themselves: a CI pull token that rotates every 30 days without
// downtime and expires 90 days after each creation, so no date ever needs moving by hand.
// Two credentials alternate (deploy-sched-a, deploy-sched-b): each period the older one is made
// anew, and the one before stays live 7 more days for consumers that have not picked up the new one.
// A consumer follows `username` and `password` (or `dockerConfigJson`) by reference; run the deploy
// on a schedule (daily, say) so the rotation and the end of the overlap happen on time.
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

export function scheduledToken(scope: Construct, id = 'deploy-sched'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'deploy-sched',
    scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
    rotateEveryDays: 30,
    zeroDowntime: true,
    overlapDays: 7,
    expiresAfterDays: 90,
  });
}

if (require.main === module) {
  const app = new App();
  scheduledToken(new TerraformStack(app, 'rotation-schedule'));
  app.synth();
}
