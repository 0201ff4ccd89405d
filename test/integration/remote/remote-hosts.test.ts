// Remote Docker hosts over SSH (issue 15), for real: two hosts built on this machine (each its
// own network, mount, PID and UTS namespace with sshd and dockerd, test/support/remote-host.sh),
// reached over veths with private addresses by the system ssh with a key and known_hosts made
// here. All traffic stays between the test's own namespaces.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/backend/create-backend';
import type { CaptureInfo } from '../../../shared/capture';
import type { SshTransport } from '../../../electron/backend/remote/ssh';
import type { HostTopology } from '../../../shared/api';
import { isRoot, SKIP_REASON } from '../../support/env';
import { sleep, waitFor } from '../../support/poll';
import { buildLab, destroyLab, hostProcesses, onHost, remoteDocker, restartSshd, type RemoteLab, type TestRemoteHost } from '../../support/remote-host';
import { hasTshark, tsharkFields, tsharkRun } from '../../support/tshark';
import { readCaptureFile } from '../../support/capture-file-reader';

const MARKER = '/tmp/vsx-remote-pwned';
const ROOT = resolve(__dirname, '../../..');
const HOSTILE_IF = 'vs$(>vsxq)';

describe.skipIf(!isRoot || !hasTshark)(`remote hosts over SSH (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let lab: RemoteLab | null = null;
  let s: Services;
  let alpha: TestRemoteHost;
  let beta: TestRemoteHost;
  let dir: string;
  const ips: Record<string, string> = {};

  beforeAll(() => {
    rmSync(MARKER, { force: true });
    lab = buildLab(['alpha', 'beta']);
    [alpha, beta] = lab.hosts as [TestRemoteHost, TestRemoteHost];
    for (const h of lab.hosts) {
      const web = `web-${h.name[0]}`;
      remoteDocker(h, 'run', '-d', '--name', web, 'vethscope-test/busybox:1', 'sleep', '100000');
      ips[web] = remoteDocker(h, 'inspect', '-f', '{{.NetworkSettings.IPAddress}}', web);
      remoteDocker(h, 'run', '-d', '--name', `pinger-${h.name[0]}`, 'vethscope-test/busybox:1', 'ping', '-i', '0.2', ips[web]!);
      ips[`pinger-${h.name[0]}`] = remoteDocker(h, 'inspect', '-f', '{{.NetworkSettings.IPAddress}}', `pinger-${h.name[0]}`);
    }
    // An interface whose name a shell would run: it must be shown, never obeyed.
    onHost(alpha, 'ip', 'link', 'add', HOSTILE_IF, 'type', 'veth', 'peer', 'name', 'vsq0');
    dir = mkdtempSync(join(lab.home, 'captures-'));
    s = createServices({ env: lab.env, remoteHosts: ['alpha', 'beta'], offerDockerHosts: false, capturesDir: dir });
  });

  afterAll(async () => {
    await s?.backend.close();
    destroyLab(lab);
  });

  const hostTopologies = async (): Promise<HostTopology[]> => {
    const r = await s.backend.call('getHostTopologies', { refresh: true });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.result;
  };

  it('shows both hosts, each container with its exact host peer as the kernel pairs them inside that host', async () => {
    const all = await hostTopologies();
    expect(all.map((h) => [h.host.id, h.host.state, h.host.remoteHostname])).toEqual([
      ['alpha', 'reachable', 'alpha'],
      ['beta', 'reachable', 'beta'],
    ]);
    for (const [h, t] of [[alpha, all[0]!], [beta, all[1]!]] as const) {
      const topo = t.topology!;
      expect(topo.privileged.mode).toBe('root');
      expect(topo.docker.available).toBe(true);
      // The kernel's own view inside that host: every veth there with its ifindex and peer index.
      const hostLinks = JSON.parse(onHost(h, 'ip', '-j', '-d', 'link')) as Array<{ ifname: string; ifindex: number; link_index?: number; linkinfo?: { info_kind?: string } }>;
      for (const name of [`web-${h.name[0]}`, `pinger-${h.name[0]}`]) {
        const c = topo.containers.find((x) => x.name === name)!;
        expect(c, name).toBeTruthy();
        const eth0 = c.interfaces.find((i) => i.name === 'eth0')!;
        const ifindex = Number(remoteDocker(h, 'exec', name, 'cat', '/sys/class/net/eth0/ifindex'));
        const iflink = Number(remoteDocker(h, 'exec', name, 'cat', '/sys/class/net/eth0/iflink'));
        const peer = hostLinks.find((l) => l.ifindex === iflink && l.linkinfo?.info_kind === 'veth');
        expect(peer, `${h.name}: veth ${iflink}`).toBeTruthy();
        expect(peer!.link_index).toBe(ifindex);
        expect(eth0.hostPeer).toBe(peer!.ifname);
      }
      // Rates come in the same round trips: a second refresh has them, pinger's traffic included.
      expect(t.rates === null || Array.isArray(t.rates.containers)).toBe(true);
    }
    const again = await waitFor('pinger-a in the rates', async () => {
      const t = await hostTopologies();
      return t[0]!.rates?.containers.some((r) => r.name === 'pinger-a' && r.txPacketsPerSec > 0) ? t : null;
    }, 15_000, 300);
    // The hostile interface is listed as it is, escaped where it is shown; nothing ran it.
    expect(again[0]!.topology!.namespaces.find((n) => n.isHost)!.interfaces.map((i) => i.name)).toContain(HOSTILE_IF);
    expect(existsSync('/root/vsxq') || existsSync(join(process.cwd(), 'vsxq'))).toBe(false);
  });

  it('captures one container on each host into one pcapng: both pings, interfaces named host/container, clock offsets, no SSH traffic', async () => {
    const started = await s.backend.call('startCapture', {
      targets: [
        { type: 'container', container: 'web-a', host: 'alpha' },
        { type: 'container', container: 'web-b', host: 'beta' },
        // alpha's own eth0 carries the SSH connection the capture streams over: it must not capture itself.
        { type: 'host', iface: 'eth0', host: 'alpha' },
      ],
      output: { dir },
      stop: { durationSec: 3 },
    });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    const info = await waitEnded(started.result.id);
    expect(info.state, JSON.stringify(info.error)).toBe('stopped');
    const file = info.files[0]!;
    const topo = (await hostTopologies()).map((h) => h.topology!);
    const peerOf = (i: number, name: string) => topo[i]!.containers.find((c) => c.name === name)!.interfaces.find((x) => x.name === 'eth0')!.hostPeer;
    const labelA = `alpha/web-a/eth0 (${peerOf(0, 'web-a')})`;
    const labelB = `beta/web-b/eth0 (${peerOf(1, 'web-b')})`;
    expect(info.interfaces.map((i) => i.label)).toEqual([labelA, labelB, 'alpha/host/eth0']);

    const rows = tsharkFields(file, ['frame.interface_name', 'frame.time_epoch', 'ip.src', 'ip.dst', 'icmp.type', 'tcp.port']);
    const pings = (label: string, from: string, to: string) => rows.filter((r) => r[0] === label && r[2] === from && r[3] === to && r[4] === '8').length;
    expect(pings(labelA, ips['pinger-a']!, ips['web-a']!)).toBeGreaterThan(3);
    expect(pings(labelB, ips['pinger-b']!, ips['web-b']!)).toBeGreaterThan(3);
    // Not one frame of SSH (tcp/22) anywhere, the host's eth0 included.
    expect(rows.filter((r) => (r[5] ?? '').split(',').includes('22'))).toEqual([]);
    // One merged file, in time order.
    const times = rows.map((r) => Number(r[1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Each remote interface says its host and its clock offset in its comment.
    expect(tsharkRun(['-r', file, '-q']).status).toBe(0);
    const idbs = (await readCaptureFile(file)).interfaces;
    expect(idbs.map((i) => i.name)).toEqual([labelA, labelB, 'alpha/host/eth0']);
    for (const [i, host] of [[0, 'alpha'], [1, 'beta'], [2, 'alpha']] as const)
      expect(idbs[i]!.description).toMatch(new RegExp(`host ${host} \\(ssh://${host}, hostname ${host}\\); clock offset [+-]\\d+\\.\\d{3} ms \\(its clock minus ours`));
  });

  it('the CLI shows and captures containers on both hosts at once', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/vethscope.cjs'), '--host', 'ssh://alpha', '--host', 'beta', ...args], { env: lab!.env, encoding: 'utf8', timeout: 60_000 });
    const topo = cli('topology');
    expect(topo.status, topo.stderr).toBe(0);
    expect(topo.stdout).toMatch(/^host alpha \(ssh:\/\/alpha, hostname alpha, \d+ ms\)$/m);
    expect(topo.stdout).toMatch(/^host beta \(ssh:\/\/beta, hostname beta, \d+ ms\)$/m);
    expect(topo.stdout).toMatch(/<-> web-a\/eth0/);
    expect(topo.stdout).toMatch(/<-> web-b\/eth0/);
    expect(cli('veth', 'web-b').stdout.trim()).toMatch(/^beta veth\w+$/);
    const file = join(dir, 'cli-both.pcapng');
    const cap = cli('capture', 'web-a', 'web-b@beta', '--duration', '2', '-o', file);
    expect(cap.status, cap.stderr).toBe(0);
    expect(cap.stdout.trim()).toBe(file);
    const names = new Set(tsharkFields(file, ['frame.interface_name'], ['-Y', 'icmp']).map((r) => r[0]!.replace(/ \(.*$/, '')));
    expect([...names].sort()).toEqual(['alpha/web-a/eth0', 'beta/web-b/eth0']);
    const top = cli('top', '--samples', '2', '--interval', '0.5', '--json');
    expect(top.status, top.stderr).toBe(0);
    const last = JSON.parse(top.stdout.trim().split('\n').pop()!) as { containers: Array<{ name: string }> };
    expect(last.containers.map((c) => c.name).sort()).toEqual(['alpha/pinger-a', 'alpha/web-a', 'beta/pinger-b', 'beta/web-b']);
  });

  it('refuses a host whose key is not in known_hosts, with what to do', async () => {
    const r = await s.backend.call('addHost', { url: 'ssh://stranger' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.result.state).toBe('unreachable');
    expect(r.result.lastError?.code).toBe('PERMISSION_DENIED');
    expect(r.result.lastError?.message).toMatch(/stranger: its host key is not in your known_hosts: refusing an unknown host/);
    const cap = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'web-a', host: 'stranger' }], output: { dir } });
    expect(cap.ok ? 'started' : cap.error.code).toBe('PERMISSION_DENIED');
    expect((await s.backend.call('removeHost', { id: 'stranger' })).ok).toBe(true);
  });

  it('runs nothing for host names, container names or interface names with shell metacharacters, on either side', async () => {
    for (const url of [`ssh://alpha;touch ${MARKER}`, `ssh://$(touch ${MARKER})`, `alpha&&touch ${MARKER}`, `ssh://-oProxyCommand=touch ${MARKER}`, 'ssh://-oProxyCommand=x']) {
      const r = await s.backend.call('addHost', { url });
      expect(r.ok ? 'added' : r.error.code, url).toBe('INVALID_INPUT');
    }
    const bad = await s.backend.call('startCapture', { targets: [{ type: 'container', container: `web-a;touch ${MARKER}`, host: 'alpha' }], output: { dir } });
    expect(bad.ok ? 'started' : bad.error.code).toBe('NOT_FOUND');
    const badHost = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'web-a', host: `alpha;touch ${MARKER}` }], output: { dir } });
    expect(badHost.ok ? 'started' : badHost.error.code).toBe('INVALID_INPUT');
    const badIface = await s.backend.call('startCapture', { targets: [{ type: 'host', iface: HOSTILE_IF, host: 'alpha' }], output: { dir } });
    expect(badIface.ok ? 'started' : badIface.error.code).toBe('INVALID_INPUT');
    await sleep(300);
    expect(existsSync(MARKER)).toBe(false);
    expect(onHost(alpha, 'sh', '-c', `test -e ${MARKER} && echo present || echo absent`)).toBe('absent');
  });

  it("a host whose sshd dies mid-capture ends only its own part, with the reason; the other host's part goes on and the file reads", async () => {
    const started = await s.backend.call('startCapture', {
      targets: [
        { type: 'container', container: 'web-a', host: 'alpha' },
        { type: 'container', container: 'web-b', host: 'beta' },
      ],
      output: { dir },
    });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    const id = started.result.id;
    await waitFor('packets from both hosts', async () => (await current(id)).interfaces.every((i) => i.packets > 2), 15_000);
    // Cut beta off: its sshd (every one of its processes) and our ssh master for it.
    const master = await (s.remote.host('beta')!.transport as SshTransport).masterPid();
    for (const pid of hostProcesses(beta, 'sshd')) process.kill(pid, 'SIGKILL');
    if (master) process.kill(master, 'SIGKILL');
    const cut = Date.now() / 1000;
    const ended = await waitFor('beta part ended', async () => (await current(id)).interfaces.find((i) => i.host === 'beta' && i.ended), 20_000);
    expect(ended.ended!.message).toMatch(/beta: .*SSH connection was lost/);
    expect((await current(id)).state).toBe('running');
    const alphaBefore = (await current(id)).interfaces.find((i) => i.host === 'alpha')!.packets;
    await waitFor('alpha goes on', async () => (await current(id)).interfaces.find((i) => i.host === 'alpha')!.packets > alphaBefore + 3, 10_000);
    const stopped = await s.backend.call('stopCapture', { id });
    expect(stopped.ok, JSON.stringify(stopped)).toBe(true);
    if (!stopped.ok) return;
    expect(stopped.result.state).toBe('stopped');
    expect(stopped.result.interfaces.find((i) => i.host === 'beta')!.ended!.message).toMatch(/SSH connection was lost/);
    const rows = tsharkFields(stopped.result.files[0]!, ['frame.interface_name', 'frame.time_epoch']);
    expect(rows.some((r) => r[0]!.startsWith('alpha/') && Number(r[1]) > cut)).toBe(true);
    expect(rows.some((r) => r[0]!.startsWith('beta/'))).toBe(true);
    // The file itself says it too: beta's interface statistics block carries the reason.
    const saved = await readCaptureFile(stopped.result.files[0]!);
    const betaIdb = saved.interfaces.findIndex((i) => i.name?.startsWith('beta/'));
    expect(saved.statisticsComments?.find((x) => x.interfaceId === betaIdb)?.comment).toMatch(/^ended early: beta: the SSH connection was lost/);
    expect(saved.statisticsComments?.some((x) => x.interfaceId !== betaIdb)).toBe(false);
    // Its status says so too, and it comes back once sshd runs again.
    const down = (await hostTopologies()).find((h) => h.host.id === 'beta')!;
    expect(down.host.state).toBe('unreachable');
    expect(down.host.lastError?.message).toMatch(/beta: /);
    expect((await hostTopologies()).find((h) => h.host.id === 'alpha')!.host.state).toBe('reachable');
    restartSshd(beta);
    await waitFor('beta back', async () => (await hostTopologies()).find((h) => h.host.id === 'beta')!.host.state === 'reachable', 20_000, 500);
  });

  it("uses vethscope's helper when it is installed there: the same map through the helper protocol, captures still work", async () => {
    // Installed in beta only, as install-helper lays it out, over an overlay of /usr/lib in beta's own mount namespace.
    const d = `/tmp/vethscope-remote/${beta.name}`;
    const bundle = join(ROOT, 'dist/helper.cjs');
    onHost(beta, 'sh', '-c', `mkdir -p ${d}/ov/up ${d}/ov/work && mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=${d}/ov/up,workdir=${d}/ov/work /usr/lib && mkdir -m 0755 /usr/lib/vethscope && { echo '#!/usr/bin/node'; cat ${bundle}; } > /usr/lib/vethscope/vethscope-helper && chmod 0755 /usr/lib/vethscope/vethscope-helper`);
    expect(existsSync('/usr/lib/vethscope')).toBe(false); // this machine's /usr/lib is untouched
    const svc = createServices({ env: lab!.env, remoteHosts: ['beta'], offerDockerHosts: false, capturesDir: dir });
    try {
      const r = await svc.backend.call('getHostTopologies', { refresh: true });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (!r.ok) return;
      const b = r.result[0]!;
      expect(b.host.state, JSON.stringify(b.host.lastError)).toBe('reachable');
      expect(b.host.via).toBe('helper');
      expect(b.topology!.privileged.mode).toBe('helper');
      const web = b.topology!.containers.find((c) => c.name === 'web-b')!;
      const iflink = Number(remoteDocker(beta, 'exec', 'web-b', 'cat', '/sys/class/net/eth0/iflink'));
      const hostLinks = JSON.parse(onHost(beta, 'ip', '-j', '-d', 'link')) as Array<{ ifname: string; ifindex: number }>;
      expect(web.interfaces.find((i) => i.name === 'eth0')!.hostPeer).toBe(hostLinks.find((l) => l.ifindex === iflink)!.ifname);
      // Rates are the counters' change between two refreshes: pinger-b's pings show up in them.
      await waitFor('pinger-b in the rates', async () => {
        const again = await svc.backend.call('getHostTopologies', { refresh: true });
        return again.ok && again.result[0]!.rates?.containers.some((c) => c.name === 'pinger-b' && c.txPacketsPerSec > 0);
      }, 15_000, 300);
      const cap = await svc.backend.call('startCapture', { targets: [{ type: 'container', container: 'web-b', host: 'beta' }], output: { dir }, stop: { durationSec: 2 } });
      expect(cap.ok, JSON.stringify(cap)).toBe(true);
      if (!cap.ok) return;
      await waitFor('capture end', async () => {
        const l = await svc.backend.call('listCaptures', {});
        return l.ok && l.result.find((c) => c.id === cap.result.id && c.state === 'stopped');
      }, 20_000);
      expect(tsharkFields(cap.result.files[0]!, ['frame.interface_name'], ['-Y', 'icmp']).length).toBeGreaterThan(3);
    } finally {
      await svc.backend.close();
    }
  });

  async function current(id: string): Promise<CaptureInfo> {
    const r = await s.backend.call('listCaptures', {});
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.result.find((c) => c.id === id)!;
  }

  async function waitEnded(id: string): Promise<CaptureInfo> {
    return waitFor('capture end', async () => {
      const c = await current(id);
      return c.state === 'stopped' || c.state === 'failed' ? c : null;
    }, 30_000);
  }
});
