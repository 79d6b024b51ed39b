// examples/ci-push-token in a CDK Terrain app: the same construct, imported the same way, in a stack
// of `cdktn` instead of `cdktf`; deploy it with `cdktn deploy` (cdktn-cli, Node.js 22.19 or later).
// In your project: npm install cdktn constructs cdktf-ionos-registry-token
import { App, TerraformStack } from 'cdktn';
import { ciPushToken } from '../ci-push-token/main';

const app = new App();
ciPushToken(new TerraformStack(app, 'cdk-terrain'));
app.synth();
