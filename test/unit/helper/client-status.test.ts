import { describe, expect, it } from 'vitest';
import { HelperClient } from '../../../electron/backend/helper-client/helper-client';

// status() drives the UI's "needs privileges" banner: it must not cry wolf as root,
// where the helper starts without a prompt whenever it is needed.
describe('HelperClient.status', () => {
  it('as root, is available before the helper has started', () => {
    expect(new HelperClient({ uid: 0 }).status()).toEqual({ available: true, mode: 'root' });
  });

  it('unprivileged and not yet started, is not available but reports no error', () => {
    expect(new HelperClient({ uid: 1000, elevation: 'sudo' }).status()).toEqual({ available: false, mode: 'helper' });
  });

  it('unprivileged after a refused prompt, reports the refusal', async () => {
    const refusing = new HelperClient({
      uid: 1000,
      elevation: 'pkexec',
      helperPath: '/nonexistent/helper.cjs',
      findTool: (n) => (n === 'pkexec' ? null : `/usr/bin/${n}`),
    });
    await refusing.start().catch(() => undefined);
    expect(refusing.status()).toMatchObject({ available: false, mode: 'none', error: { code: 'HELPER_UNAVAILABLE' } });
  });
});
