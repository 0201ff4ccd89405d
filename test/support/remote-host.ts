// Remote hosts for the remote suites (issue 15), built on this machine by remote-host.sh:
// each its own network, mount, PID and UTS namespace with sshd and dockerd, reached over a
// veth with private addresses. The SSH side lives in a temporary HOME: a key made here, a
// known_hosts holding only the hosts' own keys, an ssh config naming them (never ~/.ssh).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IMAGE, testEnv } from './env';

const SCRIPT = resolve(__dirname, 'remote-host.sh');

export interface TestRemoteHost {
  name: string;
  n: number;
  /** Its pid 1, as this machine sees it: nsenter -t PID enters it. */
  pid: number;
  addr: string;
  dockerHost: string;
  hostKey: string;
}

export interface RemoteLab {
  home: string;
  /** ssh_config(5) file the backend uses (VETHSCOPE_SSH_CONFIG). */
  sshConfig: string;
  hosts: TestRemoteHost[];
  env: NodeJS.ProcessEnv;
}

/** Build the hosts (alpha = 10.226.1.2, beta = 10.226.2.2, ...), the key and the SSH files. */
export function buildLab(names: string[]): RemoteLab {
  const home = mkdtempSync(join(tmpdir(), 'vsx-remote-home-'));
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { mode: 0o700 });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'vethscope-test', '-f', join(ssh, 'id_ed25519')]);
  const image = join(home, 'image.tar');
  execFileSync('docker', ['save', '-o', image, IMAGE], { env: testEnv() });
  const hosts: TestRemoteHost[] = [];
  try {
    names.forEach((name, i) => {
      const out = execFileSync('bash', [SCRIPT, 'up', name, String(i + 1), join(ssh, 'id_ed25519.pub'), image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const kv = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      hosts.push({ name, n: i + 1, pid: Number(kv.PID), addr: kv.ADDR!, dockerHost: kv.DOCKER_HOST!, hostKey: kv.HOSTKEY! });
    });
  } catch (e) {
    for (const [i, name] of names.entries()) spawnSync('bash', [SCRIPT, 'down', name, String(i + 1)]);
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
  writeFileSync(join(ssh, 'known_hosts'), hosts.map((h) => `${h.addr} ${h.hostKey}\n`).join(''));
  writeFileSync(join(ssh, 'empty_known_hosts'), '');
  const entries = hosts.map((h) => `Host ${h.name}\n  HostName ${h.addr}\n  User root\n`);
  // "stranger" is alpha under another name whose known_hosts is empty: its key is unknown.
  if (hosts[0]) entries.push(`Host stranger\n  HostName ${hosts[0].addr}\n  User root\n  UserKnownHostsFile ${join(ssh, 'empty_known_hosts')}\n`);
  entries.push(`Host *\n  IdentityFile ${join(ssh, 'id_ed25519')}\n  IdentitiesOnly yes\n  IdentityAgent none\n  UserKnownHostsFile ${join(ssh, 'known_hosts')}\n  GlobalKnownHostsFile /dev/null\n`);
  const sshConfig = join(ssh, 'config');
  writeFileSync(sshConfig, entries.join(''));
  chmodSync(sshConfig, 0o600);
  const runtime = join(home, 'run');
  mkdirSync(runtime, { mode: 0o700 });
  return { home, sshConfig, hosts, env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime, VETHSCOPE_SSH_CONFIG: sshConfig, SSH_AUTH_SOCK: '' } };
}

export function destroyLab(lab: RemoteLab | null): void {
  if (!lab) return;
  for (const h of lab.hosts) spawnSync('bash', [SCRIPT, 'down', h.name, String(h.n)], { stdio: 'ignore' });
  rmSync(lab.home, { recursive: true, force: true });
}

/** docker against that host's own dockerd. */
export function remoteDocker(h: TestRemoteHost, ...args: string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: h.dockerHost }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A command inside that host (its network, mount, UTS and PID namespaces). */
export function onHost(h: TestRemoteHost, ...argv: string[]): string {
  return execFileSync('nsenter', ['-t', String(h.pid), '-n', '-m', '-u', '-p', '--', ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Pids (as seen here) of that host's processes named `comm`, found by their network namespace. */
export function hostProcesses(h: TestRemoteHost, comm: string): number[] {
  const want = netnsOf(h.pid);
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm && netnsOf(Number(d)) === want) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

function netnsOf(pid: number): string {
  return execFileSync('stat', ['-L', '-c', '%i', `/proc/${pid}/ns/net`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** Start that host's sshd again (after a test killed it). */
export function restartSshd(h: TestRemoteHost): void {
  const d = `/tmp/vethscope-remote/${h.name}`;
  onHost(h, '/usr/sbin/sshd', '-f', `${d}/ssh/sshd_config`, '-E', `${d}/sshd.log`);
}
