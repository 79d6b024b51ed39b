"""Registry tokens from Python: a CI push token, a read-only pull token, and a pull token that
rotates every 30 days without downtime (two credentials in alternation, see docs/design/zero-downtime.md).

In your project:
    pip install cdktf-ionos-registry-token cdktf      # CDK for Terraform
    pip install cdktf-ionos-registry-token cdktn      # or CDK Terrain
Deploy with `cdktf deploy` (or `cdktn deploy`) and the cdktf.json next to this file.
"""
import os

from constructs import Construct

try:  # CDK Terrain when it is installed, else CDK for Terraform: the construct serves both
    from cdktn import App, TerraformStack
except ImportError:
    from cdktf import App, TerraformStack

from cdktf_ionos_registry_token import RegistryToken, ScopeAction, ScopeType, TokenScope

# The emulator's fixed default registry unless IONOS_REGISTRY_ID names another.
REGISTRY_ID = os.environ.get("IONOS_REGISTRY_ID", "5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a")


class Tokens(TerraformStack):
    def __init__(self, scope: Construct, id: str, push_name: str) -> None:
        super().__init__(scope, id)
        RegistryToken(
            self,
            "ci-push",
            registry_id=REGISTRY_ID,
            name=push_name,
            scopes=[
                TokenScope(type=ScopeType.REPOSITORY, name="app/*", actions=[ScopeAction.PULL, ScopeAction.PUSH]),
                TokenScope(type=ScopeType.REGISTRY, name="*", actions=[ScopeAction.PULL]),
            ],
        )
        RegistryToken(
            self,
            "pull",
            registry_id=REGISTRY_ID,
            name="cluster-pull",
            scopes=[TokenScope(type=ScopeType.REPOSITORY, name="app/*", actions=[ScopeAction.PULL])],
        )
        # rotates every 30 days; the previous credential logs in for 7 days more; each expires 90 days after it is made
        RegistryToken(
            self,
            "rotating",
            registry_id=REGISTRY_ID,
            name="cluster-rotating",
            scopes=[TokenScope(type=ScopeType.REPOSITORY, name="app/*", actions=[ScopeAction.PULL])],
            rotate_every_days=30,
            zero_downtime=True,
            overlap_days=7,
            expires_after_days=90,
        )


app = App()
# PUSH_TOKEN_NAME lets the tests declare a name the rules refuse; a real app writes the name here.
Tokens(app, "python-tokens", os.environ.get("PUSH_TOKEN_NAME", "ci-push"))
app.synth()
