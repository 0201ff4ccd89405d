// The CLI names every engine: the tree's namespace lines and peers, and veth's answers.
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../electron/backend/backend';
import { findContainer } from '../../../electron/backend/topology/find-container';
import type { CliIo } from '../../../electron/front-doors/cli/io';
import { vethCommand } from '../../../electron/front-doors/cli/topology-commands';
import { nsLabel, renderTree } from '../../../electron/front-doors/cli/tree';
import type { Topology } from '../../../shared/topology';
import { container, iface, topology } from '../topology-fixtures';

const HOST = 1;
const NETNS_FILE = 'netns-675a9c10-aabd-16e1-6347-0210688be933';

function engines(): Topology {
  const eth0 = iface('eth0', { ifindex: 2, hostPeer: 'veth0', peer: { netns: HOST, name: 'veth0' }, addresses: ['10.88.0.3/16'] });
  const pod = { name: 'shop', namespace: null };
  return topology({
    hostNetns: HOST,
    containers: [
      container('8143ccdef2ea-infra', { engine: 'podman', infra: true, pod, netns: 10, interfaces: [eth0] }),
      container('shop-api', { engine: 'podman', pod, netns: 10, interfaces: [eth0] }),
      container('box', { engine: 'nspawn', netns: 20, interfaces: [iface('host0', { hostPeer: 've-box', peer: { netns: HOST, name: 've-box' } })] }),
      container('rl', { engine: 'podman', user: 1000, netns: 30, interfaces: [iface('tap0', { kind: 'tun', addresses: ['10.0.2.100/24'] })] }),
      container('rl2', { engine: 'podman', user: 1000, netns: 31, interfaces: [iface('eth0', { peer: { netns: 32, name: 'veth1' } })] }),
      container('far', { engine: 'lxc', netns: null, pid: 900, interfaces: [] }),
      container('hn', { engine: 'containerd', netns: HOST, hostNetwork: true, networkMode: 'host', interfaces: [] }),
    ],
    namespaces: [
      { inode: HOST, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('veth0', { peer: { netns: 10, name: 'eth0' } }), iface('ve-box', { peer: { netns: 20, name: 'host0' } })] },
      { inode: 10, names: ['shop-api', 'shop', '8143ccdef2ea-infra', NETNS_FILE], isHost: false, pids: [100], paths: [`/run/netns/${NETNS_FILE}`], interfaces: [eth0] },
      { inode: 20, names: ['box'], isHost: false, pids: [200], paths: [], interfaces: [] },
      { inode: 30, names: ['rl'], isHost: false, pids: [300], paths: [], interfaces: [iface('tap0', { kind: 'tun', addresses: ['10.0.2.100/24'] })] },
    ],
    engines: [
      { engine: 'containerd', containers: 1, sources: ['host'] },
      { engine: 'lxc', containers: 1, sources: ['host'] },
      { engine: 'nspawn', containers: 1, sources: ['host'] },
      { engine: 'podman', containers: 4, sources: ['host'] },
    ],
  });
}

describe('renderTree with every engine', () => {
  const text = renderTree(engines());
  it('labels peers by the containers, never by the engine-internal file name', () => {
    expect(nsLabel(engines(), 10)).toBe('shop-api');
    expect(text).toContain('veth0 [veth] <-> shop-api/eth0');
    expect(text).not.toMatch(new RegExp(`<-> [^\\n]*${NETNS_FILE}`));
  });
  it('heads a namespace with its names, engine and pod, the file name after the inode', () => {
    expect(text).toContain(`shop-api, shop [podman, pod shop] (netns 10, ${NETNS_FILE})`);
    expect(text).toContain('box [nspawn] (netns 20)');
    expect(text).toContain('rl [podman, rootless uid 1000] (netns 30)');
  });
  it("explains slirp4netns' tap0", () => {
    expect(text).toContain('tap0 [tun] 10.0.2.100/24 (slirp4netns: user-mode networking, no host-side peer)');
  });
  it('lists host-network containers of any engine, and apart from them those whose namespace needs root', () => {
    expect(text).toMatch(/containers without their own namespace\n`-- hn \[containerd\] \(running, network host\)/);
    expect(text).toMatch(/running containers whose namespace needs root to read\n`-- far \[lxc\]/);
    expect(text).toContain('engines: containerd 1, lxc 1, nspawn 1, podman 4');
  });
});

async function veth(topo: Topology, query: string): Promise<string> {
  const b = new Backend();
  b.handle('findContainer', async ({ query: q }) => findContainer(topo, q));
  const io: CliIo = { isTTY: false, out: () => undefined, err: () => undefined };
  try {
    await vethCommand(b, query, io);
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('vethscope veth with every engine', () => {
  it('finds an nspawn container and a pod by name', async () => {
    const lines: string[] = [];
    const b = new Backend();
    b.handle('findContainer', async ({ query }) => findContainer(engines(), query));
    await vethCommand(b, 'box', { isTTY: false, out: (t) => lines.push(t), err: () => undefined });
    await vethCommand(b, 'pod/shop', { isTTY: false, out: (t) => lines.push(t), err: () => undefined });
    expect(lines).toEqual(['ve-box', 'veth0']);
  });
  it("explains why a rootless container has no host-side interface: slirp4netns' tap, or a peer in the rootless network", async () => {
    expect(await veth(engines(), 'rl')).toMatch(/tap0 is slirp4netns' tap .*no host-side peer/);
    expect(await veth(engines(), 'rl2')).toMatch(/eth0's peer veth1 is in namespace 32, not on the host/);
  });
  it('says the helper is missing when the namespace could not be read', async () => {
    expect(await veth(engines(), 'far')).toMatch(/far \(lxc\): its network namespace can be read only with root and the privileged helper is not available/);
  });
});
