// Rootful Podman (its own storage and networks): a container on a user-defined network and
// a pod of two, named with engine and pod, their host veths checked against the kernel,
// a host-network container, `veth NAME`, and `capture NAME` (one container, two sharing the
// pod's interface, pod/NAME)
// read back by tshark.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelperClient } from '../../../electron/backend/helper-client/helper-client';
import { testEnv } from '../../support/env';
import { buildCli } from '../discovery/cli-process';
import { allowBridge, captureByName, cli, discover, expectHostPeer, have, iptablesChains, isRoot, named, pingFrom, removeNewChains } from './fixture';
import { ENGINE_IMAGE, TestPodman } from './podman';

const NET = 'vseng-pnet';
const ready = isRoot && have('podman') && have('catatonit') && have('tshark');

describe.skipIf(!ready)('rootful Podman: a container, a user-defined network, a pod of two', () => {
  let pm: TestPodman;
  let chains: ReturnType<typeof iptablesChains>;
  let disallow = () => undefined as void;
  const dir = mkdtempSync(join(tmpdir(), 'vseng-podman-'));
  const env = testEnv();

  beforeAll(() => {
    chains = iptablesChains();
    pm = new TestPodman(dir);
    pm.importImage();
    pm.podman('network', 'create', '--subnet', '10.241.1.0/24', NET);
    pm.podman('run', '-d', '--name', 'vseng-p1', '--network', NET, ENGINE_IMAGE, 'sleep', '100000');
    pm.podman('pod', 'create', '--name', 'vseng-pod', '--network', NET);
    pm.podman('run', '-d', '--pod', 'vseng-pod', '--name', 'vseng-pa', ENGINE_IMAGE, 'sleep', '100000');
    pm.podman('run', '-d', '--pod', 'vseng-pod', '--name', 'vseng-pb', ENGINE_IMAGE, 'sleep', '100000');
    pm.podman('run', '-d', '--name', 'vseng-phost', '--network', 'host', ENGINE_IMAGE, 'sleep', '100000');
    disallow = allowBridge(pm.bridgeOf(NET));
    buildCli();
  }, 120_000);

  afterAll(() => {
    pm?.remove([NET]);
    disallow();
    if (chains) removeNewChains(chains);
  }, 60_000);

  it('names the container and the pod with engine, image and pod, and finds each host veth the kernel pairs it with', async () => {
    const topo = await discover();
    const p1 = named(topo, 'vseng-p1', 'podman');
    expect(p1).toMatchObject({ id: pm.id('vseng-p1'), image: ENGINE_IMAGE, pod: null, infra: false, user: null, state: 'running' });
    const a = named(topo, 'vseng-pa', 'podman');
    const b = named(topo, 'vseng-pb', 'podman');
    expect(a.pod).toEqual({ name: 'vseng-pod', namespace: null });
    expect(b.pod).toEqual({ name: 'vseng-pod', namespace: null });
    expect(a.netns).toBe(b.netns);
    const infra = topo.containers.find((c) => c.infra && c.pod?.name === 'vseng-pod');
    expect(infra?.netns).toBe(a.netns);
    expectHostPeer(p1, 'eth0', `/proc/${pm.pid('vseng-p1')}/ns/net`);
    expectHostPeer(a, 'eth0', `/proc/${pm.pid('vseng-pa')}/ns/net`);
    // Engine-internal file names come after the containers and the pod.
    const ns = topo.namespaces.find((n) => n.inode === a.netns)!;
    expect(ns.names.slice(0, 3)).toEqual(['vseng-pa', 'vseng-pb', 'vseng-pod']);
    expect(ns.names.findIndex((n) => /^netns-/.test(n))).toBeGreaterThan(2);
    expect(topo.engines.find((e) => e.engine === 'podman')?.sources).toEqual(['host']);
  });

  it("lists a host-network Podman container as sharing the host's namespace, as Docker's are", async () => {
    const topo = await discover();
    expect(named(topo, 'vseng-phost', 'podman')).toMatchObject({ hostNetwork: true, networkMode: 'host', netns: topo.hostNetns });
    expect(cli(['topology'], env).stdout).toMatch(/containers without their own namespace\n(.*\n)*.*vseng-phost \[podman\] \(running, network host\)/);
    const veth = cli(['veth', 'vseng-phost'], env);
    expect(veth.status).toBe(1);
    expect(veth.stderr).toContain('it uses the host network');
  });

  it("names them through the helper for a user who cannot read Podman's files: names, ids, image and pod only", async () => {
    // The helper started by root for uid 65534, as a user's sudo or pkexec would start it.
    const helper = new HelperClient({ elevation: 'root', uid: 65534, gid: 65534 });
    try {
      const { containers } = await helper.request('listHostContainers', {});
      const p1 = containers.find((c) => c.name === 'vseng-p1');
      expect(p1).toEqual({ engine: 'podman', id: pm.id('vseng-p1'), name: 'vseng-p1', image: ENGINE_IMAGE, pod: null, infra: false, pid: pm.pid('vseng-p1'), netns: expect.any(Number), uid: 0, compose: null });
      expect(containers.find((c) => c.name === 'vseng-pb')?.pod).toEqual({ name: 'vseng-pod', namespace: null });
    } finally {
      await helper.close();
    }
  });

  it('answers veth NAME and veth pod/NAME with the host veth, and draws the pod in the tree', async () => {
    const topo = await discover();
    const p1Peer = named(topo, 'vseng-p1', 'podman').interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    const podPeer = named(topo, 'vseng-pa', 'podman').interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    expect(cli(['veth', 'vseng-p1'], env)).toMatchObject({ status: 0, stdout: `${p1Peer}\n` });
    expect(cli(['veth', 'pod/vseng-pod'], env)).toMatchObject({ status: 0, stdout: `${podPeer}\n` });
    expect(cli(['veth', 'podman:vseng-pb'], env)).toMatchObject({ status: 0, stdout: `${podPeer}\n` });
    const tree = cli(['topology'], env).stdout;
    expect(tree).toContain('vseng-pa, vseng-pb, vseng-pod [podman, pod vseng-pod] (netns');
    expect(tree).toMatch(new RegExp(`${p1Peer} \\[veth\\] <-> vseng-p1/eth0`));
  });

  it('captures a container by name: the pcapng interface is NAME/eth0 (host veth), commented with engine and image', async () => {
    const peer = named(await discover(), 'vseng-p1', 'podman').interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const target = pm.ip('vseng-p1');
    const got = await captureByName(['vseng-p1'], 4, join(dir, 'p1.pcapng'), env, () => pingFrom(pm.pid('vseng-pa'), target, 2));
    expect(got.status, got.stderr).toBe(0);
    expect(got.icmp.length).toBeGreaterThanOrEqual(2);
    expect(new Set(got.icmp.map((r) => r.iface))).toEqual(new Set([`vseng-p1/eth0 (${peer})`]));
    expect(got.icmp.some((r) => r.dst === target && r.src === pm.ip('vseng-pa'))).toBe(true);
    expect(got.descriptions[0]).toContain(`container vseng-p1 (podman) id ${pm.id('vseng-p1')}`);
    expect(got.descriptions[0]).toContain(`image ${ENGINE_IMAGE}`);
  });

  it('captures two containers of the pod together on their one interface, saying so, and the pod by pod/NAME', async () => {
    const peer = named(await discover(), 'vseng-pa', 'podman').interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const both = await captureByName(['vseng-pa', 'vseng-pb'], 2, join(dir, 'pod2.pcapng'), env, () => pingFrom(pm.pid('vseng-pa'), pm.ip('vseng-p1'), 2));
    expect(both.status, both.stderr).toBe(0);
    expect(both.stderr).toContain(`capturing vseng-pa+vseng-pb/eth0 (${peer})`);
    expect(new Set(both.icmp.map((r) => r.iface))).toEqual(new Set([`vseng-pa+vseng-pb/eth0 (${peer})`]));
    expect(both.descriptions[0]).toContain('one interface shared by vseng-pa and vseng-pb (pod vseng-pod): captured once');
    const pod = await captureByName(['pod/vseng-pod'], 2, join(dir, 'pod.pcapng'), env, () => pingFrom(pm.pid('vseng-pb'), pm.ip('vseng-p1'), 2));
    expect(pod.status, pod.stderr).toBe(0);
    expect(new Set(pod.icmp.map((r) => r.iface))).toEqual(new Set([`vseng-pod/eth0 (${peer})`]));
  });
});
