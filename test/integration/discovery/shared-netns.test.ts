import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, nsInode, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { discover, kernelPeer, nsPathOf } from './kernel-view';

const SUITE = 'vsd-disc-shared';

describe.skipIf(!isRoot)(`discovery: --network container:X, host, none (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsd-sh-main');
    runContainer(SUITE, 'vsd-sh-side', ['--network', 'container:vsd-sh-main']);
    runContainer(SUITE, 'vsd-sh-host', ['--network', 'host']);
    runContainer(SUITE, 'vsd-sh-none', ['--network', 'none']);
  });
  afterAll(() => removeSuiteContainers(SUITE));

  it('groups two containers sharing one namespace under one inode with both names', async () => {
    const topo = await discover();
    const main = topo.containers.find((x) => x.name === 'vsd-sh-main')!;
    const side = topo.containers.find((x) => x.name === 'vsd-sh-side')!;
    const inode = nsInode(nsPathOf('vsd-sh-main'));
    expect(main.netns).toBe(inode);
    expect(side.netns).toBe(inode);
    expect(nsInode(nsPathOf('vsd-sh-side'))).toBe(inode);
    expect(side.networkMode).toMatch(/^container:/);
    const ns = topo.namespaces.find((n) => n.inode === inode)!;
    expect(ns.names).toEqual(expect.arrayContaining(['vsd-sh-main', 'vsd-sh-side']));
    const kernel = kernelPeer(nsPathOf('vsd-sh-main'), 'eth0', null)!;
    expect(side.interfaces.find((i) => i.name === 'eth0')?.hostPeer).toBe(kernel.ifname);
  });

  it('puts a --network host container in the host namespace, with no host peer', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-sh-host')!;
    expect(c.netns).toBe(topo.hostNetns);
    expect(c.netns).toBe(nsInode('/proc/self/ns/net'));
    expect(c.interfaces.length).toBeGreaterThan(0);
    expect(c.interfaces.every((i) => i.hostPeer === null)).toBe(true);
  });

  it('gives a --network none container its own namespace with only lo', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-sh-none')!;
    expect(c.netns).toBe(nsInode(nsPathOf('vsd-sh-none')));
    expect(c.netns).not.toBe(topo.hostNetns);
    expect(c.interfaces.map((i) => [i.name, i.kind])).toEqual([['lo', 'loopback']]);
  });
});
