// Rootless Podman for its own user: that user, with no root and no helper, sees and captures
// their own containers (entered through the user namespace they own): slirp4netns' tap0
// (no host-side peer, explained), a rootless network's veth whose peer is in the
// rootless-netns, `veth NAME`, and `capture NAME` read back by tshark.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Topology } from '../../../shared/topology';
import { freshTestUser, type TestUser } from '../../support/users';
import { buildCli } from '../discovery/cli-process';
import { kernelPeer } from '../discovery/kernel-view';
import { captureByName, cli, have, iptablesChains, isRoot, named, pingFrom, removeNewChains, run, withMode } from './fixture';
import { ENGINE_IMAGE, TestPodman } from './podman';

const NET = 'vseng-rlnet';
const ready = isRoot && have('podman') && have('slirp4netns') && have('newuidmap') && have('tshark');
/** No Docker for this user, and no helper: whatever it sees, it sees as itself. */
const userEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DOCKER_HOST: 'unix:///nonexistent/vethscope-rootless.sock', LANG: 'C' };

function processesOf(uid: number): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => {
    try {
      return /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === String(uid);
    } catch {
      return false;
    }
  });
}

describe.skipIf(!ready)('rootless Podman, seen and captured by its own user without root', () => {
  let user: TestUser;
  let pm: TestPodman;
  let chains: ReturnType<typeof iptablesChains>;
  let restoreTun = () => undefined as void;
  const dir = mkdtempSync(join(tmpdir(), 'vseng-rootless-'));

  beforeAll(() => {
    chains = iptablesChains();
    user = freshTestUser('vseng-rl');
    // /dev/net/tun is 0600 in this sandbox (udev makes it 0666 on a normal host): slirp4netns needs it.
    restoreTun = withMode('/dev/net/tun', 0o666);
    pm = new TestPodman(dir, user);
    pm.importImage();
    pm.podman('run', '-d', '--name', 'vseng-rl1', ENGINE_IMAGE, 'sleep', '100000');
    pm.podman('network', 'create', '--subnet', '10.241.2.0/24', NET);
    pm.podman('run', '-d', '--name', 'vseng-rl2', '--network', NET, ENGINE_IMAGE, 'sleep', '100000');
    buildCli();
  }, 120_000);

  afterAll(() => {
    pm?.remove([NET]);
    if (user) {
      for (const pid of processesOf(user.uid)) run('kill', ['-9', String(pid)]);
      rmSync(`/tmp/podman-run-${user.uid}`, { recursive: true, force: true });
      user.remove();
    }
    restoreTun();
    if (chains) removeNewChains(chains);
  }, 60_000);

  const asUser = () => ({ name: user.name, uid: user.uid, gid: user.gid });

  it('shows its own rootless containers to the user: named, engine podman, its uid, the image from its own storage', () => {
    const r = cli(['topology', '--json'], userEnv, asUser());
    expect(r.status, r.stderr).toBe(0);
    const topo = Topology.parse(JSON.parse(r.stdout));
    const rl1 = named(topo, 'vseng-rl1', 'podman');
    expect(rl1).toMatchObject({ id: pm.id('vseng-rl1'), image: ENGINE_IMAGE, user: user.uid, state: 'running' });
    expect(rl1.netns).not.toBeNull();
    const tap = rl1.interfaces.find((i) => i.name === 'tap0');
    expect(tap).toMatchObject({ kind: 'tun', hostPeer: null, peer: null });
    expect(r.stdout).not.toContain('has no interfaces besides lo');
  });

  it("pairs a rootless network's veth with its peer in the rootless-netns, as the kernel does", () => {
    const topo = Topology.parse(JSON.parse(cli(['topology', '--json'], userEnv, asUser()).stdout));
    const rl2 = named(topo, 'vseng-rl2', 'podman');
    const eth0 = rl2.interfaces.find((i) => i.name === 'eth0')!;
    const rootlessNetns = topo.namespaces.find((n) => n.inode === eth0.peer?.netns)!;
    expect(rootlessNetns.names[0]).toMatch(/^rootless-netns-/);
    const kernel = kernelPeer(`/proc/${pm.pid('vseng-rl2')}/ns/net`, 'eth0', rootlessNetns.paths[0]!);
    expect(kernel?.ifname).toBe(eth0.peer!.name);
    expect(eth0.hostPeer).toBeNull();
  });

  it('says why veth NAME has no host interface: slirp4netns, or a peer in the rootless network', () => {
    const tap = cli(['veth', 'vseng-rl1'], userEnv, asUser());
    expect(tap.status).toBe(1);
    expect(tap.stderr).toMatch(/tap0 is slirp4netns' tap \(rootless user-mode networking\): it has no host-side peer/);
    const veth = cli(['veth', 'vseng-rl2'], userEnv, asUser());
    expect(veth.stderr).toMatch(/eth0's peer \S+ is in namespace \d+, not on the host/);
    const tree = cli(['topology'], userEnv, asUser()).stdout;
    expect(tree).toContain('vseng-rl1 [podman, rootless uid');
    expect(tree).toContain('(slirp4netns: user-mode networking, no host-side peer)');
  });

  it('captures its own containers as the user, with no root and no helper: veth in the namespace and slirp4netns tap0', async () => {
    const home = `/home/${user.name}`;
    const gateway = '10.241.2.1';
    const veth = await captureByName(['vseng-rl2'], 2, `${home}/rl2.pcapng`, userEnv, () => pingFrom(pm.pid('vseng-rl2'), gateway, 2), asUser());
    expect(veth.status, veth.stderr).toBe(0);
    expect(new Set(veth.icmp.map((r) => r.iface))).toEqual(new Set(['vseng-rl2/eth0 (veth in netns)']));
    expect(veth.icmp.some((r) => r.src === pm.ip('vseng-rl2') && r.dst === gateway)).toBe(true);
    expect(veth.descriptions[0]).toContain(`container vseng-rl2 (podman, rootless, uid ${user.uid})`);
    expect(statSync(`${home}/rl2.pcapng`).uid).toBe(user.uid);
    // slirp4netns' gateway answers inside slirp4netns: nothing leaves the machine.
    const tap = await captureByName(['vseng-rl1'], 2, `${home}/rl1.pcapng`, userEnv, () => pingFrom(pm.pid('vseng-rl1'), '10.0.2.2', 2), asUser());
    expect(tap.status, tap.stderr).toBe(0);
    expect(new Set(tap.icmp.map((r) => r.iface))).toEqual(new Set(['vseng-rl1/tap0 (tun in netns)']));
    expect(tap.descriptions[0]).toContain('slirp4netns: user-mode networking, no host-side peer');
  });
});
