import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip, ipTry, isRoot, nsInode, SKIP_REASON } from '../../support/env';
import { discover, kernelPeer } from './kernel-view';

const cleanup = () => {
  for (const ns of ['vsd-ns1', 'vsd-nsa', 'vsd-nsb']) ipTry('netns', 'del', ns);
  ipTry('link', 'del', 'vsd-h1');
};

describe.skipIf(!isRoot)(`discovery: named namespaces (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    cleanup();
    ip('netns', 'add', 'vsd-ns1');
    ip('link', 'add', 'vsd-h1', 'type', 'veth', 'peer', 'name', 'vsd-n1', 'netns', 'vsd-ns1');
    ip('netns', 'add', 'vsd-nsa');
    ip('netns', 'add', 'vsd-nsb');
    ip('-n', 'vsd-nsa', 'link', 'add', 'vsd-a0', 'type', 'veth', 'peer', 'name', 'vsd-b0', 'netns', 'vsd-nsb');
  });
  afterAll(cleanup);

  it('finds an `ip netns` namespace by name and pairs its veth with the host', async () => {
    const topo = await discover();
    const inode = nsInode('/run/netns/vsd-ns1');
    const ns = topo.namespaces.find((n) => n.inode === inode)!;
    expect(ns.names).toEqual(['vsd-ns1']);
    expect(ns.paths).toContain('/run/netns/vsd-ns1');
    const kernel = kernelPeer('/run/netns/vsd-ns1', 'vsd-n1', null)!;
    expect(kernel.ifname).toBe('vsd-h1');
    expect(ns.interfaces.find((i) => i.name === 'vsd-n1')).toMatchObject({ kind: 'veth', hostPeer: 'vsd-h1', peer: { netns: topo.hostNetns, name: 'vsd-h1' } });
    const hostSide = topo.namespaces.find((n) => n.isHost)!.interfaces.find((i) => i.name === 'vsd-h1')!;
    expect(hostSide.peer).toEqual({ netns: inode, name: 'vsd-n1' });
  });

  it('pairs two namespaces joined directly: each peer names the other, no host peer', async () => {
    const topo = await discover();
    const a = nsInode('/run/netns/vsd-nsa');
    const b = nsInode('/run/netns/vsd-nsb');
    expect(kernelPeer('/run/netns/vsd-nsa', 'vsd-a0', '/run/netns/vsd-nsb')?.ifname).toBe('vsd-b0');
    const a0 = topo.namespaces.find((n) => n.inode === a)!.interfaces.find((i) => i.name === 'vsd-a0')!;
    const b0 = topo.namespaces.find((n) => n.inode === b)!.interfaces.find((i) => i.name === 'vsd-b0')!;
    expect(a0).toMatchObject({ kind: 'veth', hostPeer: null, peer: { netns: b, name: 'vsd-b0' } });
    expect(b0).toMatchObject({ kind: 'veth', hostPeer: null, peer: { netns: a, name: 'vsd-a0' } });
  });
});
