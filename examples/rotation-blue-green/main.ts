// Rotation without a gap: two tokens with different names ("blue" and "green"), and consumers read
// only the ACTIVE one (outputs active_username / active_password). To rotate:
//   1. re-create the inactive one: bump its trigger (GREEN_ROTATION=2) and deploy; the active token
//      is not touched, so every consumer keeps working;
//   2. switch consumers: ACTIVE=green, deploy, roll out (e.g. the pull secret is updated);
//   next time, rotate blue the same way and switch back.
// In your project the three values would be cdktf context or Terraform variables instead of env.
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

export interface BlueGreenSettings {
  readonly active: 'blue' | 'green';
  readonly blueRotation: string;
  readonly greenRotation: string;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BlueGreenSettings {
  const active = env.ACTIVE ?? 'blue';
  if (active !== 'blue' && active !== 'green') throw new Error(`ACTIVE must be blue or green, got "${active}"`);
  return { active, blueRotation: env.BLUE_ROTATION ?? '1', greenRotation: env.GREEN_ROTATION ?? '1' };
}

export function blueGreenTokens(scope: Construct, settings: BlueGreenSettings): Record<'blue' | 'green', RegistryToken> {
  const slot = (color: 'blue' | 'green', rotation: string) =>
    new RegistryToken(scope, `pull-${color}`, {
      registryId,
      name: `app-pull-${color}`,
      scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
      rotationTrigger: rotation,
    });
  const tokens = { blue: slot('blue', settings.blueRotation), green: slot('green', settings.greenRotation) };
  new TerraformOutput(scope, 'active_username', { value: tokens[settings.active].username });
  new TerraformOutput(scope, 'active_password', { value: tokens[settings.active].password, sensitive: true });
  return tokens;
}

if (require.main === module) {
  const app = new App();
  blueGreenTokens(new TerraformStack(app, 'rotation-blue-green'), settingsFromEnv());
  app.synth();
}
