// Entering a container's namespace for a capture inside it (lo, macvlan): through the
// container's own init process. The namespace's lowest pid can be a short-lived child (a
// wget in a loop, once the pid counter wrapped): nsenter then failed with ENOENT (issue 14's
// DNS-over-lo capture of a client doing lookups).
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../../../../electron/backend/capture/targets';
import { container, iface, topology } from '../../topology-fixtures';

describe('capture inside a container namespace', () => {
  it('enters through the container init pid, not the lowest pid of its namespace', () => {
    const lo = iface('lo', { kind: 'loopback' });
    const eth0 = iface('eth0', { hostPeer: 'veth1', peer: { netns: 1, name: 'veth1' } });
    const t = topology({
      containers: [container('client', { pid: 30_000, netns: 200, interfaces: [lo, eth0] })],
      namespaces: [
        { inode: 1, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('veth1', { peer: { netns: 200, name: 'eth0' } })] },
        { inode: 200, names: ['client'], isHost: false, pids: [644, 30_000], paths: [], interfaces: [lo, eth0] },
      ],
    });
    const [r] = resolveTargets(t, [{ type: 'container', container: 'client', interfaces: ['lo'] }], '');
    expect(r!.netns).toEqual({ inode: 200, path: '/proc/30000/ns/net' });
  });
});
