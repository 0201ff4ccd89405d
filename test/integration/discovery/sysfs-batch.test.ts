// The read-ahead (one grep for every namespace's files) on what containers rarely show: a
// loopback left down, no IPv4 address at all, and a bridge with a tap as its port inside the
// namespace (master and tun_flags read through the bridge's and the tap's own files). It must
// read like nsenter + ip, through sysfs, not fall back.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawNamespace } from '../../../electron/kernel/namespaces';
import { scanNamespaces } from '../../../electron/kernel/namespaces';
import { isRoot, SKIP_REASON } from '../../support/env';

const NS = 'vsd-sb';
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const comparable = (ns: RawNamespace) =>
  ns.links.map(({ name, ifindex, kind, mac, mtu, state, addresses, master }) => ({ name, ifindex, kind, mac, mtu, state, addresses: [...addresses].sort(), master })).sort((x, y) => x.ifindex - y.ifindex);

describe.skipIf(!isRoot)(`discovery: sysfs read ahead by grep (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let inside: ChildProcess;
  beforeAll(async () => {
    try {
      ip('netns', 'del', NS);
    } catch {
      /* not there */
    }
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'add', 'vsd-sb-br', 'type', 'bridge');
    // A tap (no peer to pair: sysfs alone decides) as the bridge's port.
    ip('-n', NS, 'tuntap', 'add', 'vsd-sb-t0', 'mode', 'tap');
    ip('-n', NS, 'link', 'set', 'vsd-sb-t0', 'master', 'vsd-sb-br');
    ip('-n', NS, 'link', 'set', 'vsd-sb-br', 'up');
    ip('-n', NS, 'link', 'set', 'vsd-sb-t0', 'up');
    // A process in it, with its own /sys (ip netns exec mounts one): the sysfs path applies.
    inside = spawn('ip', ['netns', 'exec', NS, 'sleep', '120'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(() => {
    inside?.kill('SIGKILL');
    ip('netns', 'del', NS);
  });

  it('reads a down loopback, no IPv4 and a bridge port as ip does, through sysfs', async () => {
    const [fast, slow] = [await scanNamespaces(), await scanNamespaces({ sysfs: false })];
    const f = fast.namespaces.find((n) => n.netnsNames.includes(NS))!;
    const s = slow.namespaces.find((n) => n.netnsNames.includes(NS))!;
    expect(f.source).toBe('sysfs');
    expect(s.source).toBe('ip');
    expect(comparable(f)).toEqual(comparable(s));
    expect(f.links.find((l) => l.name === 'vsd-sb-t0')).toMatchObject({ kind: 'tun', master: 'vsd-sb-br' });
    expect(f.links.find((l) => l.name === 'lo')?.state).toBe('DOWN');
  });
});
