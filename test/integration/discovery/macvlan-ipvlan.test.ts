import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTry, ip, ipTry, isRoot, kernelLinks, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { createNetwork, discover, nsPathOf, removeSuiteNetworks } from './kernel-view';

const SUITE = 'vsd-disc-mvlan';
// This kernel has no dummy links: a veth pair in the host is the parent.
const PARENT = 'vsd-mvp0';

describe.skipIf(!isRoot)(`discovery: macvlan and ipvlan (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    ipTry('link', 'del', PARENT);
    ip('link', 'add', PARENT, 'type', 'veth', 'peer', 'name', 'vsd-mvp1');
    ip('link', 'set', PARENT, 'up');
    ip('link', 'set', 'vsd-mvp1', 'up');
    createNetwork(SUITE, 'vsd-mv-net', ['-d', 'macvlan', '-o', `parent=${PARENT}`, '--subnet', '10.99.3.0/24']);
    runContainer(SUITE, 'vsd-mv-a', ['--network', 'vsd-mv-net']);
  });
  afterAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    ipTry('link', 'del', PARENT);
  });

  it('reports a macvlan eth0 with its host parent and no host peer', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-mv-a')!;
    const eth0 = c.interfaces.find((i) => i.name === 'eth0')!;
    // The kernel's view: eth0's IFLA_LINK is the parent's ifindex in the host.
    const inside = kernelLinks(nsPathOf('vsd-mv-a')).find((l) => l.ifname === 'eth0')!;
    expect(inside.linkinfo?.info_kind).toBe('macvlan');
    expect(kernelLinks(null).find((l) => l.ifindex === inside.link_index)?.ifname).toBe(PARENT);
    expect(eth0.kind).toBe('macvlan');
    expect(eth0.hostPeer).toBeNull();
    expect(eth0.peer).toBeNull();
    expect(eth0.parent).toEqual({ netns: topo.hostNetns, name: PARENT });
    expect(eth0.addresses.some((a) => a.startsWith('10.99.3.'))).toBe(true);
  });

  it('reports an ipvlan eth0 with its host parent (skipped where the kernel has no ipvlan)', async (ctx) => {
    createNetwork(SUITE, 'vsd-iv-net', ['-d', 'ipvlan', '-o', `parent=${PARENT}`, '--subnet', '10.99.4.0/24']);
    const run = dockerTry('run', '-d', '--name', 'vsd-iv-a', '--label', `vethscope.test=${SUITE}`, '--network', 'vsd-iv-net', 'vethscope-test/busybox:1', 'sleep', '100000');
    if (run.status !== 0) {
      const why = run.stderr.split('\n').find((l) => /error/i.test(l)) ?? run.stderr;
      console.log(`[discovery] ipvlan skipped: the kernel refused it: ${why}`);
      ctx.skip();
      return;
    }
    const topo = await discover();
    const eth0 = topo.containers.find((x) => x.name === 'vsd-iv-a')!.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0.kind).toBe('ipvlan');
    expect(eth0.hostPeer).toBeNull();
    expect(eth0.parent).toEqual({ netns: topo.hostNetns, name: PARENT });
  });
});
