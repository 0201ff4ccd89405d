// Small builders for raw scan data and topologies, so each test states only what matters.
import type { RawLink } from '../../electron/kernel/ip-json';
import type { RawNamespace } from '../../electron/kernel/namespaces';
import type { NamespaceScanner } from '../../electron/backend/topology/topology-service';
import type { Container, NetInterface, Topology } from '../../shared/topology';

export function link(ifindex: number, name: string, more: Partial<RawLink> = {}): RawLink {
  return { ifindex, name, kind: 'veth', rawKind: 'veth', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, linkIndex: null, linkNetnsid: null, ...more };
}

export const veth = (ifindex: number, name: string, linkIndex: number, linkNetnsid: number | null, more: Partial<RawLink> = {}) => link(ifindex, name, { linkIndex, linkNetnsid, ...more });

export function ns(inode: number, links: RawLink[], more: Partial<RawNamespace> = {}): RawNamespace {
  return { inode, isHost: false, pids: [], paths: [], netnsNames: [], links, error: null, ...more };
}

export function iface(name: string, more: Partial<NetInterface> = {}): NetInterface {
  return { name, ifindex: 1, kind: 'veth', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer: null, peer: null, parent: null, ...more };
}

export function container(name: string, more: Partial<Container> = {}): Container {
  return { id: `${name}-0123456789abcdef`, name, image: 'img', engine: 'docker', pod: null, infra: false, user: null, state: 'running', pid: 100, netns: 200, hostNetwork: false, networkMode: 'bridge', networks: [], compose: null, interfaces: [], ...more };
}

export function topology(more: Partial<Topology> = {}): Topology {
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    hostNetns: 1,
    containers: [],
    namespaces: [],
    docker: { available: true, endpoint: 'unix:///x.sock' },
    privileged: { available: true, mode: 'root' },
    engines: [],
    warnings: [],
    elapsedMs: 1,
    ...more,
  };
}

/** Host with docker0 and one veth to a container namespace with eth0 + lo. */
export function smallTopology(): Topology {
  const eth0 = iface('eth0', { ifindex: 2, addresses: ['172.17.0.2/16'], hostPeer: 'veth1a', peer: { netns: 1, name: 'veth1a' } });
  const lo = iface('lo', { kind: 'loopback' });
  const web = container('web', { interfaces: [lo, eth0] });
  return topology({
    containers: [web, container('webhook', { id: 'ffff', netns: 300, interfaces: [] }), container('old', { id: 'eeee', state: 'exited', pid: null, netns: null })],
    namespaces: [
      {
        inode: 1,
        names: [],
        isHost: true,
        pids: [1],
        paths: [],
        interfaces: [
          iface('lo', { kind: 'loopback' }),
          iface('docker0', { kind: 'bridge', addresses: ['172.17.0.1/16'] }),
          iface('veth1a', { ifindex: 9, master: 'docker0', peer: { netns: 200, name: 'eth0' } }),
        ],
      },
      { inode: 200, names: ['web'], isHost: false, pids: [100], paths: [], interfaces: [lo, eth0] },
    ],
  });
}

/**
 * A scanner that sees only a host namespace with lo: what a Backend under test scans instead
 * of this machine's real namespaces (as root those would be entered; as a user, the helper asked).
 */
export function hostOnlyScanner(): NamespaceScanner {
  return {
    mode: () => 'none',
    scanNamespaces: async () => ({ hostInode: 1, namespaces: [ns(1, [link(1, 'lo', { kind: 'loopback', rawKind: 'loopback' })], { isHost: true, pids: [1] })], privileged: false, warnings: [] }),
  };
}
