// Many containers of every other engine at once, for the discovery benchmark
// (npm run bench:discovery -- --engines K): K rootful Podman containers plus a pod of two,
// K LXC containers, K systemd-nspawn machines and K containerd tasks, each engine private
// (its own storage, lxcpath, state, bridge). stop() removes all of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../support/poll';
import { busyboxRoot, iptablesChains, removeNewChains, run, tryRun } from './host-setup';
import { ENGINE_IMAGE, TestPodman } from './podman';

export interface ManyEngines {
  counts: Record<string, number>;
  stop(): Promise<void>;
}

export async function startManyEngines(k: number): Promise<ManyEngines> {
  const dir = mkdtempSync(join(tmpdir(), 'vseng-many-'));
  const chains = iptablesChains();
  const procs: ChildProcess[] = [];
  const bridges: string[] = [];
  const bridge = (name: string) => {
    run('ip', ['link', 'add', name, 'type', 'bridge']);
    run('ip', ['link', 'set', name, 'up']);
    bridges.push(name);
  };

  const pm = new TestPodman(join(dir, 'podman'));
  pm.importImage();
  pm.podman('network', 'create', '--subnet', '10.241.20.0/24', 'vseng-many');
  for (let i = 0; i < k; i++) pm.podman('run', '-d', '--name', `vseng-mp${i}`, '--network', 'vseng-many', ENGINE_IMAGE, 'sleep', '100000');
  pm.podman('pod', 'create', '--name', 'vseng-mpod', '--network', 'vseng-many');
  for (const n of ['a', 'b']) pm.podman('run', '-d', '--pod', 'vseng-mpod', '--name', `vseng-mpod-${n}`, ENGINE_IMAGE, 'sleep', '100000');

  const lxcpath = join(dir, 'lxc');
  bridge('vseng-mlxcbr0');
  run('mkdir', ['-p', lxcpath]);
  writeFileSync(join(lxcpath, 'default.conf'), 'lxc.net.0.type = veth\nlxc.net.0.link = vseng-mlxcbr0\nlxc.net.0.flags = up\nlxc.apparmor.profile = unconfined\n');
  for (let i = 0; i < k; i++) {
    run('lxc-create', ['-P', lxcpath, '-n', `vseng-ml${i}`, '-t', 'busybox', '-f', join(lxcpath, 'default.conf')]);
    run('lxc-start', ['-P', lxcpath, '-n', `vseng-ml${i}`]);
  }

  for (let i = 0; i < k; i++) {
    const root = busyboxRoot(join(dir, `nspawn-${i}`), { osRelease: true });
    procs.push(spawn('systemd-nspawn', ['--register=no', '--keep-unit', '-q', '-D', root, '-M', `vseng-mn${i}`, '--network-veth', '/bin/sleep', '100000'], { stdio: 'ignore', detached: true }));
  }

  const sock = join(dir, 'containerd.sock');
  writeFileSync(join(dir, 'containerd.toml'), `version = 2\nroot = "${dir}/ctd-root"\nstate = "${dir}/ctd-state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${sock}"\n`);
  procs.push(spawn('containerd', ['--config', join(dir, 'containerd.toml')], { stdio: 'ignore', detached: true }));
  await waitFor('the private containerd', () => tryRun('ctr', ['-a', sock, 'version']).status === 0, 20_000);
  const netnsNames: string[] = [];
  for (let i = 0; i < k; i++) {
    const ns = `vseng-mc${i}`;
    run('ip', ['netns', 'add', ns]);
    netnsNames.push(ns);
    run('ctr', ['-a', sock, '-n', 'vseng', 'run', '-d', '--rootfs', '--with-ns', `network:/run/netns/${ns}`, busyboxRoot(join(dir, `ctd-${i}`)), `vseng-mc${i}`, '/bin/sleep', '100000']);
  }
  await waitFor('every nspawn machine', () => procs.slice(0, k).every((p) => tryRun('pgrep', ['-P', String(p.pid)]).status === 0), 30_000);

  return {
    counts: { podman: k + 3, lxc: k, nspawn: k, containerd: k },
    async stop() {
      for (let i = 0; i < k; i++) tryRun('ctr', ['-a', sock, '-n', 'vseng', 'task', 'kill', '-s', 'KILL', `vseng-mc${i}`]);
      for (let i = 0; i < k; i++) {
        for (let t = 0; t < 20 && tryRun('ctr', ['-a', sock, '-n', 'vseng', 'task', 'rm', `vseng-mc${i}`]).status !== 0; t++) run('sleep', ['0.2']);
        tryRun('ctr', ['-a', sock, '-n', 'vseng', 'container', 'rm', `vseng-mc${i}`]);
      }
      for (const ns of netnsNames) tryRun('ip', ['netns', 'del', ns]);
      for (let i = 0; i < k; i++) {
        tryRun('lxc-stop', ['-P', lxcpath, '-n', `vseng-ml${i}`, '-k']);
        tryRun('lxc-destroy', ['-P', lxcpath, '-n', `vseng-ml${i}`]);
      }
      for (const p of procs) if (p.pid && p.exitCode === null) tryRun('kill', [String(p.pid)]);
      await Promise.all(procs.map((p) => (p.exitCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', r)))));
      pm.remove(['vseng-many']);
      for (const b of bridges) tryRun('ip', ['link', 'del', b]);
      removeNewChains(chains);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
