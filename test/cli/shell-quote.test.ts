import { spawnSync } from 'node:child_process';
import { shQuote, shSingleQuote } from '../../lib/shell-quote';
import { HOSTILE, paste } from './sh';

const shells = ['sh', 'bash', 'dash'].filter((s) => spawnSync(s, ['-c', 'true']).status === 0);

describe('shQuote: one sh word that means its text', () => {
  test('plain words stay plain, so common output stays readable', () => {
    for (const w of ['prod', 'cdktf.out/stacks/prod', 'terraform_data.ci-push_create_4EBC8E42', 'a=b:c,d@e%f+g', '224ac587-fe56-5621-9e33-3c1be2ffe12b']) {
      expect(shQuote(w)).toBe(w);
    }
  });

  test('anything else is single-quoted, a quote written as \'\\\'\'', () => {
    expect(shQuote('x$(touch /tmp/pwned)')).toBe("'x$(touch /tmp/pwned)'");
    expect(shQuote("it's")).toBe("'it'\\''s'");
    expect(shQuote('')).toBe("''");
    expect(shSingleQuote('plain')).toBe("'plain'");
  });

  test.each(shells)('%s reads every quoted value back as its literal text and runs nothing', (shell) => {
    const values = [...HOSTILE, 'x$(touch /tmp/pwned)', "''", "'", '\\', 'new\nline', 'tab\there', ' ', '-rf', 'ü€', '!', '#comment'];
    for (const v of values) {
      const pasted = paste(`terraform ${shQuote(v)} -chdir=cdktf.out/stacks/${shQuote(v)} x${shSingleQuote(v)}`, shell);
      expect({ v, ...pasted }).toMatchObject({ v, argv: [v, `-chdir=cdktf.out/stacks/${v}`, `x${v}`], leftovers: [], status: 0, stderr: '' });
    }
  });

  test('the attack works unquoted (the test would notice an injection)', () => {
    expect(paste('terraform -chdir=cdktf.out/stacks/x$(touch pwned) apply').leftovers).toEqual(['pwned']);
    expect(paste('terraform x>pwned').leftovers).toEqual(['pwned']);
  });
});
