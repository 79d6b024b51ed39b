import { Operation } from '../../lib/handler/consts';
import { runStep } from '../../lib/handler/index';

describe('handler entry', () => {
  test('a delete from a password resource of the old layout (no identity recorded) is a no-op, not a failure', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runStep(Operation.DELETE, { IONOS_RT_TOKEN_ID: '', IONOS_RT_NAME: '', IONOS_RT_REGISTRY_ID: '' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code).toBe(0);
    expect(out).toEqual(['registry-token: delete: this resource records no token (state from before 0.2); nothing to delete here']);
    expect(err).toEqual([]);
  });

  test('any other step without its settings fails with one line', async () => {
    const err: string[] = [];
    const code = await runStep(Operation.UPDATE, {}, { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^registry-token: update failed: the handler was started without IONOS_RT_NAME/)]);
  });
});
