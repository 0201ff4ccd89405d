// Small hand-built topologies for the renderer's unit tests.
import type { Container, NetInterface, Namespace, Topology } from '../../../shared/topology';

export const HOST = 1000;

export const iface = (name: string, kind: NetInterface['kind'], extra: Partial<NetInterface> = {}): NetInterface => ({
  name,
  ifindex: 1,
  kind,
  mac: null,
  mtu: 1500,
  state: 'UP',
  addresses: [],
  master: null,
  hostPeer: null,
  peer: null,
  parent: null,
  ...extra,
});

export class TopoBuilder {
  host: Namespace = { inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('lo', 'loopback'), iface('eth0', 'physical')] };
  namespaces: Namespace[] = [this.host];
  containers: Container[] = [];
  private nextInode = 2000;

  bridge(name: string): this {
    this.host.interfaces.push(iface(name, 'bridge'));
    return this;
  }

  /** A running container with eth0 veth'd to a host veth on `bridge` (null: no bridge). */
  container(name: string, opts: { bridge?: string | null; project?: string; netns?: number; state?: string } = {}): number {
    const inode = opts.netns ?? this.nextInode++;
    const existing = this.namespaces.find((n) => n.inode === inode);
    if (!existing) {
      const hostSide = `veth${inode}`;
      const eth0 = iface('eth0', 'veth', { peer: { netns: HOST, name: hostSide }, hostPeer: hostSide, addresses: [`10.0.${inode % 256}.2/24`] });
      this.host.interfaces.push(iface(hostSide, 'veth', { master: opts.bridge === undefined ? 'docker0' : opts.bridge, peer: { netns: inode, name: 'eth0' } }));
      this.namespaces.push({ inode, names: [], isHost: false, pids: [inode], paths: [], interfaces: [iface('lo', 'loopback'), eth0] });
    }
    const ns = this.namespaces.find((n) => n.inode === inode)!;
    this.containers.push({
      id: `id-${name}`,
      name,
      image: 'busybox',
      engine: 'docker',
      pod: null,
      infra: false,
      user: null,
      state: opts.state ?? 'running',
      pid: inode,
      netns: inode,
      hostNetwork: false,
      networkMode: 'bridge',
      networks: [],
      compose: opts.project ? { project: opts.project, service: name } : null,
      interfaces: ns.interfaces,
    });
    return inode;
  }

  stopped(name: string, project?: string): this {
    this.containers.push({ id: `id-${name}`, name, image: 'busybox', engine: 'docker', pod: null, infra: false, user: null, state: 'exited', pid: null, netns: null, hostNetwork: false, networkMode: 'bridge', networks: [], compose: project ? { project, service: name } : null, interfaces: [] });
    return this;
  }

  /** A container whose only interface is a macvlan on the host's eth0. */
  macvlan(name: string): number {
    const inode = this.nextInode++;
    const mv = iface('eth0', 'macvlan', { parent: { netns: HOST, name: 'eth0' } });
    this.namespaces.push({ inode, names: [], isHost: false, pids: [inode], paths: [], interfaces: [iface('lo', 'loopback'), mv] });
    this.containers.push({ id: `id-${name}`, name, image: 'busybox', engine: 'docker', pod: null, infra: false, user: null, state: 'running', pid: inode, netns: inode, hostNetwork: false, networkMode: 'mv', networks: [], compose: null, interfaces: [mv] });
    return inode;
  }

  build(): Topology {
    return {
      generatedAt: '2024-01-01T00:00:00Z',
      hostNetns: HOST,
      containers: structuredClone(this.containers),
      namespaces: structuredClone(this.namespaces),
      docker: { available: true },
      privileged: { available: true, mode: 'root' },
      engines: [],
      warnings: [],
      elapsedMs: 1,
    };
  }
}
