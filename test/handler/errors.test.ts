import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notOurs, passwordNeverCaptured, resultFileGone, tokenGone } from '../../lib/handler/errors';
import { cliOfProject, recreateCommand, runnerOf, takeOverCommand, type Runner } from '../../lib/handler/runner';
import { HOSTILE, paste } from '../cli/sh';

/** The command of a message: what follows the last ": ". */
function commandIn(message: string): string {
  const m = /: ((?:TF_CLI_ARGS_apply=|terraform |tofu )[^]*)$/.exec(message);
  if (!m) throw new Error(`no command in: ${message}`);
  return m[1];
}

const CDKTF: Runner = { cli: 'cdktf', engine: 'terraform' };
const BY_HAND: Runner = { engine: 'tofu' };

describe('recreateCommand', () => {
  test('under a CDK CLI: its deploy, the -replace list in TF_CLI_ARGS_apply; by hand: the engine in the stack directory', () => {
    expect(recreateCommand('prod', ['ci-push_create_4EBC8E42'], CDKTF)).toBe(`TF_CLI_ARGS_apply="-replace=terraform_data.'ci-push_create_4EBC8E42'" cdktf deploy prod`);
    expect(recreateCommand('prod', ['a_create_1', 'b_create_2'], { cli: 'cdktn', engine: 'tofu' })).toBe(
      `TF_CLI_ARGS_apply="-replace=terraform_data.'a_create_1' -replace=terraform_data.'b_create_2'" cdktn deploy prod`,
    );
    expect(recreateCommand('prod', ['a_create_1', 'b_create_2'], BY_HAND)).toBe("tofu -chdir=cdktf.out/stacks/prod apply -replace=terraform_data.'a_create_1' -replace=terraform_data.'b_create_2'");
  });

  test('pasted into sh, the CDK form reaches the CLI with the stack as one word and the list in TF_CLI_ARGS_apply', () => {
    expect(paste(recreateCommand('prod', ['a_create_1', 'b_create_2'], CDKTF))).toMatchObject({
      program: 'cdktf',
      argv: ['deploy', 'prod'],
      // as the engine reads it: shell words, the quotes gone
      cliArgs: "-replace=terraform_data.'a_create_1' -replace=terraform_data.'b_create_2'",
      leftovers: [],
      status: 0,
    });
  });

  test.each(HOSTILE)('pasted into sh, stack %j reaches the CLI or engine as its literal text and runs nothing', (stack) => {
    expect(paste(recreateCommand(stack, ['a_create_00000001'], CDKTF))).toMatchObject({ argv: ['deploy', stack], leftovers: [], status: 0 });
    expect(paste(recreateCommand(stack, ['a_create_00000001'], BY_HAND))).toMatchObject({ argv: [`-chdir=cdktf.out/stacks/${stack}`, 'apply', '-replace=terraform_data.a_create_00000001'], leftovers: [], status: 0 });
    // A hostile resource name (a hand-edited state) never goes into TF_CLI_ARGS_apply: the engine form, quoted.
    expect(paste(recreateCommand('prod', [stack], CDKTF))).toMatchObject({ program: 'terraform', argv: ['-chdir=cdktf.out/stacks/prod', 'apply', `-replace=terraform_data.${stack}`], leftovers: [] });
  });

  test('every message that carries it keeps it intact and on one line', () => {
    const hint = recreateCommand("it's; touch pwned", ['a_create_00000001'], CDKTF);
    for (const e of [passwordNeverCaptured('p', 't', hint), resultFileGone('p', 't', '/f', hint), tokenGone('p', 't', 'no longer exists', hint)]) {
      expect(e.message).not.toContain('\n');
      expect(paste(commandIn(e.message))).toMatchObject({ argv: ['deploy', "it's; touch pwned"], cliArgs: "-replace=terraform_data.'a_create_00000001'", leftovers: [] });
    }
  });
});

describe('cliOfProject', () => {
  test.each([
    [{ dependencies: { cdktn: '^0.24.0' } }, 'cdktn'],
    [{ dependencies: { cdktf: '0.21.0' }, devDependencies: { 'cdktf-cli': '0.21.0' } }, 'cdktf'],
    [{ devDependencies: { cdktf: '0.21.0', cdktn: '^0.24.0' } }, 'cdktn'],
    [{ dependencies: {} }, undefined],
  ])('%j deploys with %s', (pkg, cli) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cli-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
    expect(cliOfProject(dir)).toBe(cli);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('runnerOf', () => {
  test('names the CDK CLI that is the engine\'s parent, and the engine', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-runner-'));
    try {
      // a stand-in "cdktn" (sh running a script of that name) whose child is a stand-in engine named tofu
      fs.writeFileSync(path.join(dir, 'tofu'), '#!/bin/sh\nsleep 5\n', { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'cdktn'), `#!/bin/sh\n"${dir}/tofu" &\necho $!\nwait\n`, { mode: 0o755 });
      const cli = spawn(path.join(dir, 'cdktn'), [], { stdio: ['ignore', 'pipe', 'ignore'] });
      return new Promise<void>((resolve, reject) => {
        cli.stdout.once('data', async (d) => {
          await new Promise((r) => setTimeout(r, 300)); // the background child has exec'd its script by then
          try {
            expect(runnerOf(Number(String(d).trim()))).toEqual({ cli: 'cdktn', engine: 'tofu' });
            expect(runnerOf(process.pid, { TERRAFORM_BINARY_NAME: 'tofu' })).toEqual({ engine: 'tofu' });
            resolve();
          } catch (e) {
            reject(e);
          } finally {
            cli.kill();
          }
        });
      });
    } finally {
      setTimeout(() => fs.rmSync(dir, { recursive: true, force: true }), 100);
    }
  });
});

describe('notOurs', () => {
  test('one command for the stack, in the words of the CLI that deploys it; the stack is one sh word', () => {
    expect(takeOverCommand('prod', CDKTF)).toBe('IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:prod cdktf deploy prod');
    expect(takeOverCommand('prod', BY_HAND)).toBe('IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:prod tofu -chdir=cdktf.out/stacks/prod apply');
    expect(notOurs('p', 't', takeOverCommand('prod', CDKTF)).message).toMatch(/refused this way: IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:prod cdktf deploy prod$/);
  });

  test.each(HOSTILE)('pasted into sh, the take-over of stack %j reaches the CLI as its literal text and runs nothing', (stack) => {
    expect(paste(takeOverCommand(stack, { cli: 'cdktn', engine: 'tofu' }))).toMatchObject({ program: 'cdktn', argv: ['deploy', stack], takeOver: `stack:${stack}`, leftovers: [], status: 0 });
  });
});
