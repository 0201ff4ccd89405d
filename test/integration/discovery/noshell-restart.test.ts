import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, dockerTry, isRoot, nsInode, NOSHELL_IMAGE, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { discover, kernelPeer, nsPathOf } from './kernel-view';

const SUITE = 'vsd-disc-life';

describe.skipIf(!isRoot)(`discovery: shell-less image, stop and restart (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vsd-life-bare', [], NOSHELL_IMAGE, []);
    runContainer(SUITE, 'vsd-life-cycle');
  });
  afterAll(() => removeSuiteContainers(SUITE));

  it('resolves a container that has no shell and no cat (the manual method cannot)', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-life-bare')!;
    expect(c.state).toBe('running');
    expect(dockerTry('exec', 'vsd-life-bare', 'cat', '/sys/class/net/eth0/iflink').status).not.toBe(0);
    expect(c.netns).toBe(nsInode(nsPathOf('vsd-life-bare')));
    const kernel = kernelPeer(nsPathOf('vsd-life-bare'), 'eth0', null)!;
    expect(c.interfaces.find((i) => i.name === 'eth0')?.hostPeer).toBe(kernel.ifname);
  });

  it('follows a container through stop and restart: no interfaces while stopped, the new veth after', async () => {
    const before = (await discover()).containers.find((x) => x.name === 'vsd-life-cycle')!;
    const oldVeth = before.interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    expect(oldVeth).toBe(kernelPeer(nsPathOf('vsd-life-cycle'), 'eth0', null)!.ifname);

    docker('stop', '-t', '0', 'vsd-life-cycle');
    const stopped = (await discover()).containers.find((x) => x.name === 'vsd-life-cycle')!;
    expect(stopped).toMatchObject({ state: 'exited', pid: null, netns: null, interfaces: [] });

    docker('start', 'vsd-life-cycle');
    const topo = await discover();
    const after = topo.containers.find((x) => x.name === 'vsd-life-cycle')!;
    expect(after.netns).toBe(nsInode(nsPathOf('vsd-life-cycle')));
    // The kernel may hand the new namespace the old inode number; the process is new.
    expect(after.pid).not.toBe(before.pid);
    const kernel = kernelPeer(nsPathOf('vsd-life-cycle'), 'eth0', null)!;
    expect(after.interfaces.find((i) => i.name === 'eth0')?.hostPeer).toBe(kernel.ifname);
    // The old veth died with the old namespace; Docker names the new one afresh.
    if (kernel.ifname !== oldVeth) expect(topo.namespaces.find((n) => n.isHost)!.interfaces.some((i) => i.name === oldVeth)).toBe(false);
  });
});
