import { waitFor as sharedWaitFor } from '../../support/poll';
// Shared by the helper suites: a freshly built dist/helper.cjs, two `ip netns`
// namespaces joined by a veth pair (vsh-* names only), and /proc inspection.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildSync } from 'esbuild';

export const ROOT = resolve(__dirname, '../../..');
export const HELPER = resolve(ROOT, 'dist/helper.cjs');

/** Build only the helper entry (other engineers' entries are theirs to build). */
export function buildHelper(): string {
  buildSync({ entryPoints: [resolve(ROOT, 'electron/root-helper/main.ts')], outfile: HELPER, bundle: true, platform: 'node', target: 'node18', format: 'cjs', logLevel: 'error' });
  return HELPER;
}

export const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
export const shTry = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });

export interface Pair {
  ns: [string, string];
  ifs: [string, string];
  addrs: [string, string];
  handles: [{ inode: number; path: string }, { inode: number; path: string }];
}

/** vsh-<tag>a / vsh-<tag>b namespaces, veth vsh-<tag>0 ↔ vsh-<tag>1, 10.231.<octet>.1/.2. */
export function makePair(tag: string, octet: number): Pair {
  const ns: [string, string] = [`vsh-${tag}a`, `vsh-${tag}b`];
  const ifs: [string, string] = [`vsh-${tag}0`, `vsh-${tag}1`];
  const addrs: [string, string] = [`10.231.${octet}.1`, `10.231.${octet}.2`];
  removePair(tag);
  for (const n of ns) sh('ip', ['netns', 'add', n]);
  sh('ip', ['link', 'add', ifs[0], 'netns', ns[0], 'type', 'veth', 'peer', 'name', ifs[1], 'netns', ns[1]]);
  for (let i = 0; i < 2; i++) {
    sh('ip', ['-n', ns[i]!, 'addr', 'add', `${addrs[i]}/24`, 'dev', ifs[i]!]);
    sh('ip', ['-n', ns[i]!, 'link', 'set', ifs[i]!, 'up']);
    sh('ip', ['-n', ns[i]!, 'link', 'set', 'lo', 'up']);
  }
  const handles = ns.map((n) => ({ inode: statSync(`/run/netns/${n}`).ino, path: `/run/netns/${n}` })) as Pair['handles'];
  return { ns, ifs, addrs, handles };
}

export function removePair(tag: string): void {
  for (const n of [`vsh-${tag}a`, `vsh-${tag}b`]) shTry('ip', ['netns', 'del', n]);
}

/** Bounded traffic between our own two namespaces only. */
export function ping(p: Pair, count: number, intervalSec = 0.2, size = 56): void {
  // busybox ping: the only ping on these machines.
  const r = shTry('ip', ['netns', 'exec', p.ns[0], 'busybox', 'ping', '-q', '-c', String(count), '-i', String(intervalSec), '-s', String(size), '-W', '1', p.addrs[1]]);
  if (r.status !== 0) throw new Error(`ping failed: ${r.stderr || r.stdout}`);
}

export function children(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}



export { tsharkView as tshark, type TsharkView } from '../../support/tshark';

export { alive, processesWith as pidsWith, sleep } from '../../support/poll';

/** Poll a synchronous condition (this suite's older signature over the shared waitFor). */
export const waitFor = <T>(fn: () => T | undefined | null | false, timeoutMs: number, stepMs = 50): Promise<T> =>
  sharedWaitFor('condition', fn, timeoutMs, stepMs) as Promise<T>;
