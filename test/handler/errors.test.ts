import { notOurs, passwordNeverCaptured, replaceCommand, resultFileGone, tokenGone } from '../../lib/handler/errors';
import { HOSTILE, paste } from '../cli/sh';

/** The command of a message: what follows "run: " / "with: " / ": ", up to "   (or tofu)". */
function commandIn(message: string): string {
  const m = /(terraform -chdir=.*)   \(or tofu\)$/.exec(message);
  if (!m) throw new Error(`no command in: ${message}`);
  return m[1];
}

describe('replaceCommand', () => {
  test('a plain stack stays plain; the resource name is always quoted (cdktf annotates plain addresses)', () => {
    expect(replaceCommand('prod', 'ci-push_create_4EBC8E42')).toBe("terraform -chdir=cdktf.out/stacks/prod apply -replace=terraform_data.'ci-push_create_4EBC8E42'   (or tofu)");
  });

  test('the stack from the brief, x$(touch /tmp/pwned), is quoted', () => {
    expect(replaceCommand('x$(touch /tmp/pwned)', 'a_create_00000001')).toBe(
      "terraform -chdir=cdktf.out/stacks/'x$(touch /tmp/pwned)' apply -replace=terraform_data.'a_create_00000001'   (or tofu)",
    );
  });

  test.each(HOSTILE)('pasted into sh, stack %j reaches the engine as its literal text and runs nothing', (stack) => {
    expect(paste(commandIn(replaceCommand(stack, 'a_create_00000001')))).toMatchObject({ argv: [`-chdir=cdktf.out/stacks/${stack}`, 'apply', '-replace=terraform_data.a_create_00000001'], leftovers: [], status: 0 });
    // A hostile resource name too (a hand-edited state): quoted, quotes and all.
    expect(paste(commandIn(replaceCommand('prod', stack)))).toMatchObject({ argv: ['-chdir=cdktf.out/stacks/prod', 'apply', `-replace=terraform_data.${stack}`], leftovers: [] });
  });

  test('every message that carries it keeps it intact and on one line', () => {
    const hint = replaceCommand("it's; touch pwned", 'a_create_00000001');
    for (const e of [passwordNeverCaptured('p', 't', hint), resultFileGone('p', 't', '/f', hint), tokenGone('p', 't', 'no longer exists', hint)]) {
      expect(e.message).not.toContain('\n');
      expect(paste(commandIn(e.message))).toMatchObject({ argv: ["-chdir=cdktf.out/stacks/it's; touch pwned", 'apply', '-replace=terraform_data.a_create_00000001'], leftovers: [] });
    }
  });
});

describe('notOurs', () => {
  test('the take-over assignment is one sh word (a uuid stays plain)', () => {
    expect(notOurs('p', 't', '224ac587-fe56-5621-9e33-3c1be2ffe12b').message).toMatch(/run the deploy once with IONOS_REGISTRY_TOKEN_TAKE_OVER=224ac587-fe56-5621-9e33-3c1be2ffe12b$/);
    const m = /with (IONOS_REGISTRY_TOKEN_TAKE_OVER=.*)$/.exec(notOurs('p', 't', 'x$(touch pwned)').message)!;
    expect(paste(`${m[1]}; terraform "$IONOS_REGISTRY_TOKEN_TAKE_OVER"`)).toMatchObject({ argv: ['x$(touch pwned)'], leftovers: [] });
  });
});
