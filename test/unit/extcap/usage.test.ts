// `vethscope extcap` as the other commands behave: --help prints its usage and starts nothing,
// a usage error exits 2 with the usage (Wireshark never sends one; a person might).
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/front-doors/cli/main';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runCli(argv, { isTTY: false, out: (t) => void out.push(t), err: (t) => void err.push(t) });
  return { status, out: out.join('\n'), err: err.join('\n') };
}

describe('vethscope extcap usage', () => {
  it('--help', async () => {
    for (const args of [['extcap', '--help'], ['extcap', 'install', '--help']]) {
      const r = await cli(...args);
      expect(r.status).toBe(0);
      expect(r.out).toMatch(/^usage: vethscope extcap install \[--user\|--system\] \[--remove\]/);
    }
  });

  it('usage errors exit 2 and say what is missing', async () => {
    const bogus = await cli('extcap', '--bogus');
    expect(bogus.status).toBe(2);
    expect(bogus.err).toMatch(/name the interface: --extcap-interface IFACE/);
    expect((await cli('extcap', 'install', '--bogus')).status).toBe(2);
    expect((await cli('extcap', 'install', '--user', '--system')).status).toBe(2);
  });

  it('vethscope help lists it', async () => {
    expect((await cli('help')).out).toMatch(/^ {2}extcap install \[--user\|--system\] \[--remove\]$/m);
  });
});
