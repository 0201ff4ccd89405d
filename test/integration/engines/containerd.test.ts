// containerd with a private daemon and ctr: a Kubernetes-style pod (a sandbox netns
// `cni-UUID` wired by the CNI bridge plugin, as CRI does it, holding a sandbox task and a
// container carrying CRI's annotations and Kubernetes labels) and a plain `ctr run --cni`
// container. Named with engine and pod, host veths checked against the kernel, veth NAME,
// capture NAME read back by tshark.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../support/env';
import { waitFor } from '../../support/poll';
import { buildCli } from '../discovery/cli-process';
import { allowBridge, busyboxRoot, captureByName, cli, discover, expectHostPeer, have, iptablesChains, isRoot, named, pingFrom, removeNewChains, run, tryRun } from './fixture';

const BRIDGE = 'vseng-ctdbr0';
const NETWORK = 'vseng-ctd';
const ready = isRoot && have('containerd') && have('ctr') && existsSync('/usr/lib/cni/bridge') && have('tshark');

describe.skipIf(!ready)('containerd with ctr: a Kubernetes-style pod and a plain container', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vseng-containerd-'));
  const sock = join(dir, 'containerd.sock');
  const netns = `cni-${randomUUID()}`;
  const cniConf = (extra = {}) => JSON.stringify({ cniVersion: '0.4.0', name: NETWORK, ...extra });
  const bridgePlugin = { type: 'bridge', bridge: BRIDGE, isGateway: true, ipMasq: false, ipam: { type: 'host-local', subnet: '10.241.3.0/24', dataDir: join(dir, 'ipam') } };
  const env = testEnv();
  let daemon: ChildProcess | null = null;
  let chains: ReturnType<typeof iptablesChains>;
  let disallow = () => undefined as void;
  const undo: Array<() => void> = [];
  const ctr = (ns: string, ...args: string[]) => run('ctr', ['-a', sock, '-n', ns, ...args]);
  const pidOf = (ns: string, task: string) => Number(ctr(ns, 'task', 'ls').split('\n').find((l) => l.startsWith(`${task} `))!.split(/\s+/)[1]);
  const cni = (command: 'ADD' | 'DEL', id: string) =>
    tryRun('/usr/lib/cni/bridge', [], { input: cniConf(bridgePlugin), env: { ...process.env, CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: `/run/netns/${netns}`, CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' } });
  const ipOf = (pid: number) => /inet (\S+)\//.exec(run('nsenter', ['-t', String(pid), '-n', 'ip', '-4', '-o', 'addr', 'show', 'eth0']))![1]!;
  const cri = (type: 'sandbox' | 'container', extra: string[] = []) => [
    '--annotation', `io.kubernetes.cri.container-type=${type}`,
    '--annotation', 'io.kubernetes.cri.sandbox-id=vseng-sandbox',
    '--annotation', 'io.kubernetes.cri.sandbox-name=vseng-kpod',
    '--annotation', 'io.kubernetes.cri.sandbox-namespace=vseng-ns',
    '--label', 'io.kubernetes.pod.name=vseng-kpod',
    '--label', 'io.kubernetes.pod.namespace=vseng-ns',
    ...extra,
  ];

  beforeAll(async () => {
    chains = iptablesChains();
    writeFileSync(join(dir, 'config.toml'), `version = 2\nroot = "${dir}/root"\nstate = "${dir}/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${sock}"\n`);
    daemon = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: 'ignore', detached: true });
    await waitFor('the private containerd', () => tryRun('ctr', ['-a', sock, 'version']).status === 0, 20_000);
    for (const r of ['sandbox', 'web', 'c1']) busyboxRoot(join(dir, `rootfs-${r}`));
    // The pod's sandbox namespace, made and wired the way CRI does it.
    run('ip', ['netns', 'add', netns]);
    undo.push(() => void tryRun('ip', ['netns', 'del', netns]));
    const added = cni('ADD', 'vseng-sandbox');
    if (added.status !== 0) throw new Error(`CNI bridge ADD failed: ${added.stdout} ${added.stderr}`);
    ctr('k8s.io', 'run', '-d', '--rootfs', '--with-ns', `network:/run/netns/${netns}`, ...cri('sandbox'), join(dir, 'rootfs-sandbox'), 'vseng-sandbox', '/bin/sleep', '100000');
    ctr('k8s.io', 'run', '-d', '--rootfs', '--with-ns', `network:/run/netns/${netns}`, ...cri('container', ['--annotation', 'io.kubernetes.cri.container-name=web', '--label', 'io.kubernetes.container.name=web']), join(dir, 'rootfs-web'), 'vseng-web', '/bin/sleep', '100000');
    // ctr --cni reads /opt/cni/bin and the first file of /etc/cni/net.d: both ours for the suite (Debian keeps its plugins in /usr/lib/cni).
    if (!existsSync('/opt/cni/bin')) {
      mkdirSync('/opt/cni', { recursive: true });
      symlinkSync('/usr/lib/cni', '/opt/cni/bin');
      undo.push(() => rmSync('/opt/cni', { recursive: true, force: true }));
    }
    mkdirSync('/etc/cni/net.d', { recursive: true });
    const conflist = '/etc/cni/net.d/00-vseng-containerd-test.conflist';
    writeFileSync(conflist, cniConf({ plugins: [bridgePlugin] }));
    undo.push(() => rmSync(conflist, { force: true }));
    ctr('vseng', 'run', '-d', '--cni', '--rootfs', join(dir, 'rootfs-c1'), 'vseng-c1', '/bin/sleep', '100000');
    disallow = allowBridge(BRIDGE);
    buildCli();
  }, 120_000);

  afterAll(() => {
    for (const [ns, task] of [['vseng', 'vseng-c1'], ['k8s.io', 'vseng-web'], ['k8s.io', 'vseng-sandbox']] as const) {
      tryRun('ctr', ['-a', sock, '-n', ns, 'task', 'kill', '-s', 'KILL', task]);
    }
    for (const [ns, task] of [['vseng', 'vseng-c1'], ['k8s.io', 'vseng-web'], ['k8s.io', 'vseng-sandbox']] as const) {
      for (let i = 0; i < 20 && tryRun('ctr', ['-a', sock, '-n', ns, 'task', 'rm', task]).status !== 0; i++) run('sleep', ['0.2']);
      tryRun('ctr', ['-a', sock, '-n', ns, 'container', 'rm', task]);
    }
    if (existsSync(`/run/netns/${netns}`)) cni('DEL', 'vseng-sandbox');
    for (const f of undo.reverse()) f();
    if (daemon?.pid) tryRun('kill', [String(daemon.pid)]);
    tryRun('ip', ['link', 'del', BRIDGE]);
    disallow();
    if (chains) removeNewChains(chains);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("names the pod's container by its Kubernetes name, its sandbox by the pod, and the plain one NAMESPACE/ID", async () => {
    const topo = await discover();
    const web = named(topo, 'web', 'containerd');
    expect(web).toMatchObject({ id: 'vseng-web', pod: { name: 'vseng-kpod', namespace: 'vseng-ns' }, infra: false, networkMode: 'pod' });
    const sandbox = named(topo, 'vseng-kpod', 'containerd');
    expect(sandbox).toMatchObject({ id: 'vseng-sandbox', infra: true, netns: web.netns });
    const c1 = named(topo, 'vseng/vseng-c1', 'containerd');
    expect(c1.pod).toBeNull();
    expectHostPeer(web, 'eth0', `/run/netns/${netns}`);
    expectHostPeer(c1, 'eth0', `/proc/${pidOf('vseng', 'vseng-c1')}/ns/net`);
    // The sandbox file name (cni-UUID) ranks after the container and the pod.
    expect(topo.namespaces.find((n) => n.inode === web.netns)!.names).toEqual(['web', 'vseng-kpod', netns]);
  });

  it('answers veth NAME, veth pod/NAMESPACE/NAME and the tree', async () => {
    const topo = await discover();
    const podPeer = named(topo, 'web', 'containerd').interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    const c1Peer = named(topo, 'vseng/vseng-c1', 'containerd').interfaces.find((i) => i.name === 'eth0')!.hostPeer;
    expect(cli(['veth', 'pod/vseng-ns/vseng-kpod'], env)).toMatchObject({ status: 0, stdout: `${podPeer}\n` });
    expect(cli(['veth', 'containerd:web'], env)).toMatchObject({ status: 0, stdout: `${podPeer}\n` });
    expect(cli(['veth', 'vseng/vseng-c1'], env)).toMatchObject({ status: 0, stdout: `${c1Peer}\n` });
    const tree = cli(['topology'], env).stdout;
    expect(tree).toContain(`web, vseng-kpod [containerd, pod vseng-ns/vseng-kpod] (netns`);
    expect(tree).toMatch(new RegExp(`${podPeer} \\[veth\\] <-> web/eth0`));
  });

  it('captures the pod container by name and the pod by pod/NAME, read back by tshark', async () => {
    const topo = await discover();
    const peer = named(topo, 'web', 'containerd').interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    const webIp = ipOf(pidOf('k8s.io', 'vseng-web'));
    const c1 = pidOf('vseng', 'vseng-c1');
    const got = await captureByName(['containerd:web'], 2, join(dir, 'web.pcapng'), env, () => pingFrom(c1, webIp, 2));
    expect(got.status, got.stderr).toBe(0);
    expect(new Set(got.icmp.map((r) => r.iface))).toEqual(new Set([`web/eth0 (${peer})`]));
    expect(got.icmp.some((r) => r.src === ipOf(c1) && r.dst === webIp)).toBe(true);
    expect(got.descriptions[0]).toContain('container web (containerd, pod vseng-ns/vseng-kpod) id vseng-web');
    const pod = await captureByName(['pod/vseng-kpod'], 2, join(dir, 'pod.pcapng'), env, () => pingFrom(c1, webIp, 2));
    expect(pod.status, pod.stderr).toBe(0);
    expect(new Set(pod.icmp.map((r) => r.iface))).toEqual(new Set([`vseng-kpod/eth0 (${peer})`]));
  });
});
