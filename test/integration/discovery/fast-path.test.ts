import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawNamespace } from '../../../electron/kernel/namespaces';
import { scanNamespaces } from '../../../electron/kernel/namespaces';
import { resolvePeers } from '../../../electron/backend/topology/resolve-peers';
import { docker, isRoot, nsInode, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { createNetwork, kernelPeer, nsPathOf, removeSuiteNetworks } from './kernel-view';

const SUITE = 'vsd-disc-fast';
const NAMES = ['vsd-fp-a', 'vsd-fp-b', 'vsd-fp-none', 'vsd-fp-lomtu', 'vsd-fp-lodown'];

// What both ways of reading must agree on (the netnsid is what sysfs cannot see).
const comparable = (ns: RawNamespace) =>
  ns.links.map(({ name, ifindex, kind, mac, mtu, state, addresses, master, linkIndex }) => ({ name, ifindex, kind, mac, mtu, state, addresses: [...addresses].sort(), master, linkIndex })).sort((x, y) => x.ifindex - y.ifindex);

describe.skipIf(!isRoot)(`discovery: sysfs fast path agrees with ip inside the namespace (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    createNetwork(SUITE, 'vsd-fp-net', ['--subnet', '10.99.5.0/24']);
    runContainer(SUITE, 'vsd-fp-a');
    runContainer(SUITE, 'vsd-fp-b', ['--network', 'vsd-fp-net']);
    docker('network', 'connect', 'bridge', 'vsd-fp-b');
    runContainer(SUITE, 'vsd-fp-none', ['--network', 'none']);
    // The loopback read in two reads (its index known from /proc/net/igmp) keeps its own MTU and state.
    runContainer(SUITE, 'vsd-fp-lomtu', ['--cap-add', 'NET_ADMIN']);
    docker('exec', 'vsd-fp-lomtu', 'ip', 'link', 'set', 'lo', 'mtu', '1500');
    runContainer(SUITE, 'vsd-fp-lodown', ['--cap-add', 'NET_ADMIN']);
    docker('exec', 'vsd-fp-lodown', 'ip', 'link', 'set', 'lo', 'down');
    // The host's sysfs inside the container: it describes the wrong namespace.
    runContainer(SUITE, 'vsd-fp-hostsys', ['-v', '/sys:/sys:ro']);
  });
  afterAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
  });

  it('reads the same links and resolves the same peers as nsenter + ip', async () => {
    const [fast, slow] = [await scanNamespaces(), await scanNamespaces({ sysfs: false })];
    const inodes = NAMES.map((n) => nsInode(nsPathOf(n)));
    const peersOf = (scan: typeof fast) => {
      const res = resolvePeers(scan.namespaces, scan.hostInode);
      return inodes.map((i) => res.interfaces.get(i)!.map((x) => [x.name, x.hostPeer, x.peer]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    };
    for (const inode of inodes) {
      const f = fast.namespaces.find((n) => n.inode === inode)!;
      const s = slow.namespaces.find((n) => n.inode === inode)!;
      expect(f.source).toBe('sysfs');
      expect(s.source).toBe('ip');
      expect(comparable(f)).toEqual(comparable(s));
    }
    expect(peersOf(fast)).toEqual(peersOf(slow));
    // And the peer is real: every veth found has a host peer.
    expect(peersOf(fast).flat().filter(([name]) => name !== 'lo').every(([, hostPeer]) => typeof hostPeer === 'string')).toBe(true);
  });

  it('does not trust a container whose /sys is the host one: it reads that one with ip, and gets the peer right', async () => {
    const scan = await scanNamespaces();
    const inode = nsInode(nsPathOf('vsd-fp-hostsys'));
    expect(scan.namespaces.find((n) => n.inode === inode)?.source).toBe('ip');
    const eth0 = resolvePeers(scan.namespaces, scan.hostInode).interfaces.get(inode)!.find((i) => i.name === 'eth0')!;
    expect(eth0.hostPeer).toBe(kernelPeer(nsPathOf('vsd-fp-hostsys'), 'eth0', null)!.ifname);
  });
});
