import { describe, expect, it } from 'vitest';
import { parseKubeletName, podmanPodFromCgroup } from '../../../electron/engines/conmon';
import { idFromCgroup } from '../../../electron/engines/containerd';
import { nameFromCgroup } from '../../../electron/engines/host-containers';
import { nspawnMachineName, parseLxcMonitor } from '../../../electron/engines/lxc-nspawn';
import { flagValue, parseStat } from '../../../electron/engines/processes';

const POD = 'a'.repeat(64);
const ID = 'b'.repeat(64);

describe('what the engines leave on the host, parsed', () => {
  it('reads /proc/PID/stat whatever the process calls itself', () => {
    expect(parseStat('42 (my (odd) name) S 7 42 42 0')).toEqual({ pid: 42, ppid: 7, comm: 'my (odd) name' });
    expect(parseStat('garbage')).toBeNull();
  });

  it('finds a flag value in its three spellings', () => {
    expect(flagValue(['conmon', '-n', 'web'], '-n', '--name')).toBe('web');
    expect(flagValue(['conmon', '--name=web'], '-n', '--name')).toBe('web');
    expect(flagValue(['systemd-nspawn', '-Mweb'], '-M', '--machine')).toBe('web');
    expect(flagValue(['conmon', '--name', 'web'], '-n', '--name')).toBe('web');
    expect(flagValue(['conmon', '-c', 'x'], '-n', '--name')).toBeNull();
  });

  it('splits kubelet names (CRI-O, dockershim)', () => {
    expect(parseKubeletName('k8s_nginx_web-7f9c_default_6d1b1c8e-3a5f-4c4e-9a3b-2f6a7d9e0c11_0')).toEqual({ container: 'nginx', pod: 'web-7f9c', namespace: 'default' });
    expect(parseKubeletName('k8s_POD_web_kube-system_uid_3')).toEqual({ container: 'POD', pod: 'web', namespace: 'kube-system' });
    expect(parseKubeletName('web-1')).toBeNull();
  });

  it("reads Podman's pod from either cgroup manager", () => {
    expect(podmanPodFromCgroup([`/libpod_parent/${POD}/libpod-${ID}`])).toBe(POD);
    expect(podmanPodFromCgroup([`/machine.slice/machine-libpod_pod_${POD}.slice/libpod-${ID}.scope`])).toBe(POD);
    expect(podmanPodFromCgroup([`/libpod_parent/libpod-${ID}`])).toBeNull();
  });

  it("reads a containerd task's id from its cgroup", () => {
    expect(idFromCgroup(['/k8s.io/web1'], 'k8s.io')).toBe('web1');
    expect(idFromCgroup([`/kubepods/burstable/podX/cri-containerd-${ID}.scope`], 'k8s.io')).toBe(ID);
    expect(idFromCgroup(['/other/web1'], 'k8s.io')).toBeNull();
  });

  it("parses LXC's monitor title and systemd-nspawn's machine name", () => {
    expect(parseLxcMonitor(['[lxc monitor] /var/lib/lxc web'])).toEqual({ lxcpath: '/var/lib/lxc', name: 'web' });
    expect(parseLxcMonitor(['lxc-start', '-n', 'web'])).toBeNull();
    expect(nspawnMachineName(['systemd-nspawn', '-D', '/srv/trees/web/', '--network-veth'])).toBe('web');
    expect(nspawnMachineName(['systemd-nspawn', '--machine=db', '-D', '/srv/x'])).toBe('db');
    expect(nspawnMachineName(['systemd-nspawn', '-i', '/var/lib/machines/arch.raw'])).toBe('arch');
  });

  it('names a namespace from a cgroup path when no monitor claims it', () => {
    expect(nameFromCgroup(['/lxc.payload.web'], null)).toEqual({ engine: 'lxc', id: 'web', name: 'web' });
    expect(nameFromCgroup(['/machine.slice/systemd-nspawn@my\\x2dbox.service/payload'], 'systemd-nspawn')).toMatchObject({ engine: 'nspawn', name: 'my-box' });
    expect(nameFromCgroup(['/machine.slice/machine-web.scope'], 'lxc')).toMatchObject({ engine: 'lxc', name: 'web' });
    expect(nameFromCgroup([`/kubepods.slice/crio-${ID}.scope`], null)).toMatchObject({ engine: 'cri-o', id: ID });
    expect(nameFromCgroup([`/system.slice/docker-${ID}.scope`], null)).toMatchObject({ engine: 'docker', id: ID });
    expect(nameFromCgroup(['/user.slice/user-1000.slice/session-2.scope'], null)).toBeNull();
  });
});
