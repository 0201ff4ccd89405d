import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../electron/backend/create-backend';
import { isRoot, kernelLinks, removeSuiteContainers, runContainer, SKIP_REASON, testEnv, docker, nsInode, TEST_BRIDGE } from '../../support/env';

const SUITE = 'disc-default';

describe.skipIf(!isRoot)(`discovery: default bridge (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    runContainer(SUITE, 'vst-dd-a');
  });
  afterAll(() => removeSuiteContainers(SUITE));

  it('pairs the container eth0 with the exact host veth the kernel names', async () => {
    const { backend } = createServices({ env: testEnv() });
    const res = await backend.call('getTopology', {});
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const topo = res.result;
    expect(topo.docker.available).toBe(true);
    const c = topo.containers.find((x) => x.name === 'vst-dd-a')!;
    expect(c).toBeDefined();
    const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', 'vst-dd-a'));
    expect(c.pid).toBe(pid);
    expect(c.netns).toBe(nsInode(`/proc/${pid}/ns/net`));
    const eth0 = c.interfaces.find((i) => i.name === 'eth0')!;
    // The kernel's own view: the container's eth0 iflink is the host veth's ifindex.
    const inside = kernelLinks(`/proc/${pid}/ns/net`).find((l) => l.ifname === 'eth0')!;
    const hostVeth = kernelLinks(null).find((l) => l.ifindex === inside.link_index && l.link_index === inside.ifindex)!;
    expect(eth0.kind).toBe('veth');
    expect(eth0.hostPeer).toBe(hostVeth.ifname);
    expect(eth0.peer).toEqual({ netns: topo.hostNetns, name: hostVeth.ifname });
    expect(hostVeth.master).toBe(TEST_BRIDGE);
    const hostSide = topo.namespaces.find((n) => n.isHost)!.interfaces.find((i) => i.name === hostVeth.ifname)!;
    expect(hostSide.master).toBe(TEST_BRIDGE);
    expect(hostSide.peer).toEqual({ netns: c.netns, name: 'eth0' });
  });
});
