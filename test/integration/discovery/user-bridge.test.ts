import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, ipOf, isRoot, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { createNetwork, discover, kernelPeer, nsPathOf, removeSuiteNetworks } from './kernel-view';

const SUITE = 'vsd-disc-userbr';
const NET = 'vsd-ub-net';

describe.skipIf(!isRoot)(`discovery: user-defined bridge (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    createNetwork(SUITE, NET, ['--subnet', '10.99.1.0/24']);
    runContainer(SUITE, 'vsd-ub-a', ['--network', NET]);
  });
  afterAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
  });

  it('pairs eth0 with the host veth the kernel names, a port of the network bridge', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-ub-a')!;
    const hostVeth = kernelPeer(nsPathOf('vsd-ub-a'), 'eth0', null)!;
    expect(hostVeth).not.toBeNull();
    const bridge = `br-${docker('network', 'inspect', '-f', '{{.Id}}', NET).slice(0, 12)}`;
    expect(hostVeth.master).toBe(bridge);
    const eth0 = c.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0).toMatchObject({ kind: 'veth', hostPeer: hostVeth.ifname, peer: { netns: topo.hostNetns, name: hostVeth.ifname } });
    expect(eth0.addresses).toContain(`${ipOf('vsd-ub-a', NET)}/24`);
    const host = topo.namespaces.find((n) => n.isHost)!;
    expect(host.interfaces.find((i) => i.name === hostVeth.ifname)).toMatchObject({ master: bridge, peer: { netns: c.netns, name: 'eth0' } });
    expect(host.interfaces.find((i) => i.name === bridge)?.kind).toBe('bridge');
    expect(c.networks.map((n) => [n.name, n.driver])).toEqual([[NET, 'bridge']]);
  });
});
