// What every engine suite shares: a busybox root file system, the built CLI run as root or
// as a test user, a capture by name read back by tshark, the kernel's answer for a host
// peer, and putting back what a suite changed (iptables chains, FORWARD rules, modes).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import type { Container, Topology } from '../../../shared/topology';
import { waitFor } from '../../support/poll';
import { tsharkFields } from '../../support/tshark';
import { discover, kernelPeer } from '../discovery/kernel-view';
import { run, tryRun } from './host-setup';

export * from './host-setup';

export const REPO = resolve(__dirname, '../../..');
export const isRoot = process.getuid?.() === 0;

/** The CLI (bin/vethscope.cjs) as root, or as `user` (setpriv: its uid, gid and groups, its HOME). */
export function cli(args: string[], env: NodeJS.ProcessEnv, user?: { name: string; uid: number; gid: number }): { status: number | null; stdout: string; stderr: string } {
  const bin = [process.execPath, resolve(REPO, 'bin/vethscope.cjs'), ...args];
  const argv = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', ...bin] : bin;
  const e = user ? { ...env, HOME: `/home/${user.name}`, USER: user.name, LOGNAME: user.name } : env;
  const r = spawnSync(argv[0]!, argv.slice(1), { env: e, encoding: 'utf8', timeout: 60_000, cwd: '/' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export interface Captured {
  status: number | null;
  stderr: string;
  /** interface name, ip.src, ip.dst of each ICMP echo request or reply tshark read back. */
  icmp: Array<{ iface: string; src: string; dst: string }>;
  /** Interface descriptions (pcapng comments) tshark read back. */
  descriptions: string[];
}

/**
 * `vethscope capture TARGET... --count N --filter icmp -o FILE`, with `traffic` started once it says
 * "capturing" (its interfaces listen); tshark reads the file it wrote.
 */
export async function captureByName(targets: string[], count: number, file: string, env: NodeJS.ProcessEnv, traffic: () => void, user?: { name: string; uid: number; gid: number }): Promise<Captured> {
  // Only ICMP: the first packets on a fresh interface are often ARP, and --count counts what the filter lets through.
  const bin = [process.execPath, resolve(REPO, 'bin/vethscope.cjs'), 'capture', ...targets, '--count', String(count), '--filter', 'icmp', '-o', file];
  const argv = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', ...bin] : bin;
  const e = user ? { ...env, HOME: `/home/${user.name}`, USER: user.name, LOGNAME: user.name } : env;
  const child = spawn(argv[0]!, argv.slice(1), { env: e, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  try {
    await waitFor(`"capturing" from vethscope capture ${targets.join(' ')}`, () => /capturing /.test(stderr) || child.exitCode !== null, 30_000);
    if (child.exitCode === null) traffic();
    const timer = setTimeout(() => child.kill('SIGINT'), 20_000);
    const status = await exited;
    clearTimeout(timer);
    if (status !== 0) return { status, stderr, icmp: [], descriptions: [] };
    const rows = tsharkFields(file, ['frame.interface_name', 'ip.src', 'ip.dst', 'icmp.type']);
    const descriptions = tsharkFields(file, ['frame.interface_description']).map((r) => r[0] ?? '');
    return { status, stderr, icmp: rows.filter((r) => r[3] === '8' || r[3] === '0').map(([iface = '', src = '', dst = '']) => ({ iface, src, dst })), descriptions };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** ICMP echo requests from inside a namespace (the host's busybox: no ping needed in the container, no NET_RAW). */
export function pingFrom(pid: number, address: string, count = 3, userns = false): void {
  run('nsenter', [...(userns ? ['-U', '--preserve-credentials'] : []), '-t', String(pid), '-n', '/bin/busybox', 'ping', '-c', String(count), '-W', '2', address]);
}

/** The container of that name and engine in a topology, or a failure naming what there is. */
export function named(topo: Topology, name: string, engine: Container['engine']): Container {
  const c = topo.containers.find((x) => x.name === name && x.engine === engine);
  if (!c) throw new Error(`no ${engine} container ${name}; have: ${topo.containers.map((x) => `${x.engine}:${x.name}`).join(', ')}`);
  return c;
}

/**
 * The container's `iface` and its host peer as vethscope says, checked against the kernel
 * (`ip -j -d link` on both sides: each one's link index is the other's ifindex).
 */
export function expectHostPeer(c: Container, iface: string, nsPath: string): string {
  const kernel = kernelPeer(nsPath, iface, null);
  expect(kernel, `the kernel's host peer of ${c.name}/${iface}`).not.toBeNull();
  const mine = c.interfaces.find((i) => i.name === iface);
  expect(mine?.hostPeer).toBe(kernel!.ifname);
  expect(mine?.peer?.name).toBe(kernel!.ifname);
  return kernel!.ifname;
}

export { discover };

/** Same-bridge traffic where another dockerd set FORWARD to DROP with br_netfilter on: allowed on `bridge`, taken back by the returned function. */
export function allowBridge(bridge: string): () => void {
  if (tryRun('iptables', ['-C', 'FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT']).status === 0) return () => undefined;
  tryRun('iptables', ['-I', 'FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT']);
  return () => void tryRun('iptables', ['-D', 'FORWARD', '-i', bridge, '-o', bridge, '-j', 'ACCEPT']);
}

/** A file's mode, set for the suite and put back afterwards. */
export function withMode(path: string, mode: number): () => void {
  const was = statSync(path).mode & 0o7777;
  chmodSync(path, mode);
  return () => chmodSync(path, was);
}

/** Host bridges whose name starts with `prefix` (a suite's own). */
export const bridgesLike = (prefix: string) => readdirSync('/sys/class/net').filter((n) => n.startsWith(prefix));
