// The helper refuses an interface its namespace does not have. The host's own are read from
// /proc/self/net/dev in-process; only another namespace's need `ip` run inside it.
import { describe, expect, it, vi } from 'vitest';

const ran = vi.hoisted(() => [] as string[][]);
vi.mock('../../../electron/root-helper/run-in-netns', () => ({
  run: async (argv: string[]) => {
    ran.push(argv);
    return { code: 1, stdout: '', stderr: 'Device "x" does not exist.' };
  },
}));
const { requireInterface } = await import('../../../electron/root-helper/capture/capture-limits');
const { parseProcNetDev } = await import('../../../electron/kernel/proc-net-dev');

const PROC_NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0
veth133cc00:  9 1 0 0 0 0 0 0 9 1 0 0 0 0 0 0
  eth0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
`;

describe('requireInterface', () => {
  it('reads the names of /proc/net/dev (the shared parser), a long name run into its counters included', () => {
    expect([...parseProcNetDev(PROC_NET_DEV).keys()].sort()).toEqual(['eth0', 'lo', 'veth133cc00']);
  });

  it("answers for the host's own interfaces without starting ip", async () => {
    ran.length = 0;
    await expect(requireInterface({ netns: null, iface: 'lo', output: { kind: 'fd' } } as never)).resolves.toBeUndefined();
    await expect(requireInterface({ netns: null, iface: 'vsnosuch0', output: { kind: 'fd' } } as never)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'the host has no interface "vsnosuch0"' });
    expect(ran).toEqual([]);
  });

  it("asks ip inside another namespace, and refuses what it does not list", async () => {
    ran.length = 0;
    await expect(requireInterface({ netns: { inode: 4026532000, path: '/proc/123/ns/net' }, iface: 'eth0', output: { kind: 'fd' } } as never)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'namespace 4026532000 has no interface "eth0"' });
    expect(ran.map((a) => a.slice(1))).toEqual([['-o', 'link', 'show', 'dev', 'eth0']]);
  });

  it('still refuses libpcap pseudo-devices first', async () => {
    await expect(requireInterface({ netns: null, iface: 'nflog', output: { kind: 'fd' } } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
