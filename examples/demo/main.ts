// The demo stack: the three examples in one stack (what `npm run demo` deploys).
import { App, TerraformStack } from 'cdktf';
import { ciPushToken } from '../ci-push-token/main';
import { disabledToken } from '../disabled-token/main';
import { pullWithExpiry } from '../pull-with-expiry/main';

const app = new App();
const stack = new TerraformStack(app, 'demo');
ciPushToken(stack);
pullWithExpiry(stack);
disabledToken(stack);
app.synth();
