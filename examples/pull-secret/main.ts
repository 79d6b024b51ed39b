// A Kubernetes image pull secret: `dockerConfigJson` is the Docker config JSON
// {"auths":{"<registryHostname>":{"username","password","auth"}}}, built by Terraform and sensitive.
// Give it to a kubernetes_secret of type kubernetes.io/dockerconfigjson, e.g. with
// @cdktf/provider-kubernetes (not a dependency of this package):
//
//   new Secret(stack, 'pull-secret', {
//     metadata: { name: 'registry-pull', namespace: 'app' },
//     type: 'kubernetes.io/dockerconfigjson',
//     data: { '.dockerconfigjson': token.dockerConfigJson! },
//   });
//
// or to a CI variable from the sensitive output "k8s-pull_docker_config_json".
// The hostname is the registry's `properties.hostname` (console, or GET /registries/{id}).
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { RegistryToken, ScopeAction, ScopeType } from '../../lib';
import { registryId } from '../registry';

/** The emulator's default registry is served as this hostname. */
export const EMULATOR_REGISTRY_HOSTNAME = 'registry-5b2a4e1c.cr.de-fra.ionos.com';

export function pullSecretToken(scope: Construct, id = 'k8s-pull'): RegistryToken {
  return new RegistryToken(scope, id, {
    registryId,
    name: 'k8s-pull',
    scopes: [{ type: ScopeType.REPOSITORY, name: 'app/*', actions: [ScopeAction.PULL] }],
    registryHostname: process.env.IONOS_REGISTRY_HOSTNAME ?? EMULATOR_REGISTRY_HOSTNAME,
  });
}

if (require.main === module) {
  const app = new App();
  pullSecretToken(new TerraformStack(app, 'pull-secret'));
  app.synth();
}
