// The benchmark's cdktf app: one stack "bench" whose tokens come from ./tokens.json in the working
// directory (written by bench/run.mjs). Plain CommonJS so that synth needs no compile step.
const fs = require('node:fs');
const path = require('node:path');
const { App, HttpBackend, TerraformStack } = require('cdktf');
const { RegistryToken } = require(process.env.RT_LIB || path.join(__dirname, '..', 'dist', 'lib'));

const spec = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'tokens.json'), 'utf8'));
const app = new App();
const stack = new TerraformStack(app, 'bench');
// BENCH_BACKEND=http: Terraform's http state backend (remote state, as CI uses), served by bench/run.mjs.
if (spec.stateUrl) new HttpBackend(stack, { address: spec.stateUrl });
for (const { id, ...config } of spec.tokens) new RegistryToken(stack, id, config);
app.synth();
