// Facts and helpers every suite shares: root or not, the private daemon's
// DOCKER_HOST, the test images, the docker/ip commands, and temporary directories.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const isRoot = process.getuid?.() === 0;
export const SKIP_REASON = 'needs root (private dockerd, network namespaces, tcpdump)';
export const TEST_ROOT = process.env.VETHSCOPE_TEST_ROOT ?? '/tmp/vethscope-test';
export const DOCKER_HOST = process.env.DOCKER_HOST ?? `unix://${TEST_ROOT}/docker.sock`;
export const IMAGE = 'vethscope-test/busybox:1';
export const NOSHELL_IMAGE = 'vethscope-test/busybox-noshell:2';
export const TEST_BRIDGE = process.env.VETHSCOPE_TEST_BRIDGE ?? 'vsbr0';
/** Every test container carries this label, so a suite removes exactly its own. */
export const TEST_LABEL = 'vethscope.test';

export const testEnv = (): NodeJS.ProcessEnv => ({ ...process.env, DOCKER_HOST });

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { env: testEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function dockerTry(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { env: testEnv(), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

/** Run a long-sleeping container labelled for `suite`; returns its id. */
export function runContainer(suite: string, name: string, extra: string[] = [], image = IMAGE, cmd: string[] = ['sleep', '100000']): string {
  return docker('run', '-d', '--name', name, '--label', `${TEST_LABEL}=${suite}`, ...extra, image, ...cmd);
}

export function removeSuiteContainers(suite: string): void {
  const ids = docker('ps', '-aq', '--filter', `label=${TEST_LABEL}=${suite}`).split('\n').filter(Boolean);
  if (ids.length) dockerTry('rm', '-f', ...ids);
}

/** A container's IPv4 address: on `network` when given, else on its first network. */
export function ipOf(name: string, network?: string): string {
  const nets = JSON.parse(docker('inspect', '-f', '{{json .NetworkSettings.Networks}}', name)) as Record<string, { IPAddress?: string }>;
  const n = network ? nets[network] : Object.values(nets)[0];
  if (!n?.IPAddress) throw new Error(`${name} has no IPv4 address${network ? ` on ${network}` : ''}`);
  return n.IPAddress;
}

export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' }).trim();
}

export function ipTry(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr.trim() };
}

/** `ip -j -d link` inside a namespace path (or the host when null): the kernel's own view. */
export function kernelLinks(nsPath: string | null): Array<{ ifindex: number; ifname: string; link_index?: number; link_netnsid?: number; master?: string; linkinfo?: { info_kind?: string } }> {
  const args = ['-j', '-d', 'link', 'show'];
  const out = nsPath
    ? execFileSync('nsenter', [`--net=${nsPath}`, 'ip', ...args], { encoding: 'utf8' })
    : execFileSync('ip', args, { encoding: 'utf8' });
  return JSON.parse(out);
}

export function nsInode(path: string): number {
  return Number(execFileSync('stat', ['-L', '-c', '%i', path], { encoding: 'utf8' }).trim());
}

/** A fresh directory under the system temp dir; remove() deletes it and everything in it. */
export function tempDir(prefix: string): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (n) => join(dir, n), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
