import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, isRoot, removeSuiteContainers, runContainer, SKIP_REASON, TEST_BRIDGE, testEnv } from '../../support/env';
import { buildCli, runBuiltCli } from './cli-process';
import { createNetwork, discover, kernelPeer, nsPathOf, removeSuiteNetworks } from './kernel-view';

const SUITE = 'vsd-disc-twonet';
const NET = 'vsd-tn-net';

describe.skipIf(!isRoot)(`discovery: container on two networks (${isRoot ? 'root' : SKIP_REASON})`, () => {
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
    createNetwork(SUITE, NET, ['--subnet', '10.99.2.0/24']);
    runContainer(SUITE, 'vsd-tn-a');
    docker('network', 'connect', NET, 'vsd-tn-a');
  });
  afterAll(() => {
    removeSuiteContainers(SUITE);
    removeSuiteNetworks(SUITE);
  });

  it('finds two veths, each with its own host peer on its own bridge', async () => {
    const topo = await discover();
    const c = topo.containers.find((x) => x.name === 'vsd-tn-a')!;
    const vethNames = c.interfaces.filter((i) => i.kind === 'veth').map((i) => i.name).sort();
    expect(vethNames).toEqual(['eth0', 'eth1']);
    const bridges = new Set<string>();
    for (const name of vethNames) {
      const kernel = kernelPeer(nsPathOf('vsd-tn-a'), name, null)!;
      expect(kernel).not.toBeNull();
      const iface = c.interfaces.find((i) => i.name === name)!;
      expect(iface.hostPeer).toBe(kernel.ifname);
      expect(iface.peer).toEqual({ netns: topo.hostNetns, name: kernel.ifname });
      const hostSide = topo.namespaces.find((n) => n.isHost)!.interfaces.find((i) => i.name === kernel.ifname)!;
      expect(hostSide.master).toBe(kernel.master);
      bridges.add(kernel.master!);
    }
    expect(bridges).toEqual(new Set([TEST_BRIDGE, `br-${docker('network', 'inspect', '-f', '{{.Id}}', NET).slice(0, 12)}`]));
    expect(c.networks.map((n) => n.name).sort()).toEqual(['bridge', NET].sort());
  });

  it('`vethscope veth` (the built CLI, a real process) prints both host veths, one per line', () => {
    buildCli();
    const run = runBuiltCli(['veth', 'vsd-tn-a'], testEnv());
    expect(run.status).toBe(0);
    const expected = ['eth0', 'eth1'].map((n) => kernelPeer(nsPathOf('vsd-tn-a'), n, null)!.ifname);
    expect(run.stdout.trim().split('\n').sort()).toEqual(expected.sort());
    const missing = runBuiltCli(['veth', 'vsd-no-such-container'], testEnv());
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no container named or with id starting "vsd-no-such-container"/);
  });
});
