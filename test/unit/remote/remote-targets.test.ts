import { describe, expect, it } from 'vitest';
import type { ResolvedIface } from '../../../electron/backend/capture/targets';
import { parseHostUrl } from '../../../electron/backend/remote/host-url';
import type { RemoteHost } from '../../../electron/backend/remote/remote-host';
import { resolveAcrossHosts } from '../../../electron/backend/remote/remote-targets';
import type { Topology } from '../../../shared/topology';

const HOST = 4026531840;
const WEB = 4026532000;
const topo: Topology = {
  generatedAt: new Date().toISOString(),
  hostNetns: HOST,
  containers: [{ id: 'a'.repeat(64), name: 'web', image: 'busybox', engine: 'docker', pod: null, infra: false, user: null, state: 'running', pid: 42, netns: WEB, hostNetwork: false, networkMode: 'bridge', networks: [], compose: null, interfaces: [{ name: 'eth0', ifindex: 2, kind: 'veth', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer: 'veth1a2b', peer: { netns: HOST, name: 'veth1a2b' }, parent: null }] }],
  namespaces: [
    { inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: [{ name: 'eth0', ifindex: 2, kind: 'physical', mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer: null, peer: null, parent: null }] },
    { inode: WEB, names: ['web'], isHost: false, pids: [42], paths: [], interfaces: [] },
  ],
  docker: { available: true },
  engines: [],
  privileged: { available: true, mode: 'root' },
  warnings: [],
  elapsedMs: 1,
};

const fakeHost = (id: string) =>
  ({
    address: parseHostUrl(`ssh://${id}`),
    status: { state: 'reachable', remoteHostname: id, lastError: null },
    topology: topo,
    fresh: async () => undefined,
    clockOffset: async () => ({ offsetMs: 12.3456, roundTripMs: 0.8 }),
  }) as unknown as RemoteHost;

describe('resolveAcrossHosts', () => {
  it('resolves each host on its own map, labels by host, notes the clock offset, keeps the order asked', async () => {
    const hosts = new Map([['alpha', fakeHost('alpha')], ['beta', fakeHost('beta')]]);
    const local = async (t: unknown[]): Promise<ResolvedIface[]> => t.map((_, i) => ({ netns: null, iface: 'eth9', atNetns: 1, label: 'local/eth9', comment: '', containerId: null, containerName: null, target: i, innerName: null }));
    const r = await resolveAcrossHosts(
      [
        { type: 'container', container: 'web', host: 'beta' },
        { type: 'host', iface: 'eth9' },
        { type: 'host', iface: 'eth0', host: 'alpha' },
      ],
      'icmp',
      local,
      (id) => hosts.get(id),
    );
    expect(r.map((x) => [x.target, x.host ?? 'local', x.label])).toEqual([
      [0, 'beta', 'beta/web/eth0 (veth1a2b)'],
      [1, 'local', 'local/eth9'],
      [2, 'alpha', 'alpha/host/eth0'],
    ]);
    expect(r[0]!.comment).toMatch(/host beta \(ssh:\/\/beta, hostname beta\); clock offset \+12\.346 ms \(its clock minus ours, measured at capture start over a 0\.8 ms round trip; timestamps are as beta recorded them\)/);
    // The host's own namespace there is entered through its pid 1.
    expect(r[2]!.netns).toEqual({ inode: HOST, path: '/proc/1/ns/net' });
  });

  it('an unknown host is NOT_FOUND with what to do', async () => {
    await expect(resolveAcrossHosts([{ type: 'container', container: 'web', host: 'gamma' }], '', async () => [], () => undefined)).rejects.toThrow(/no remote host gamma: add it first/);
  });
});
