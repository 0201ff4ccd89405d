// Find every network namespace on the host and list its interfaces.
// Sources: /proc/*/ns/net (deduplicated by inode), `ip netns` bind mounts under
// /run/netns and Docker's under /run/docker/netns. Processes that vanish or deny
// access are skipped: /proc/1/ns/net is unreadable on some hosts even as root.
import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { execFileResult, findTool, mapPool } from '../util/exec';
import { pairSysfsNamespaces } from './fast-pair';
import { parseIpAddrJson } from './ip-json';
import type { NamespaceScan, RawNamespace } from '../../shared/helper-protocol';
import { type SysfsLink } from './sysfs-read';
import { readNamespacesSysfs } from './sysfs-batch';

// The shapes are the helper protocol's: the helper sends a scan as it is.
export type { NamespaceScan, RawNamespace };

const HOST_MAX_PIDS = 8;
const BIND_DIRS = ['/run/netns', '/run/docker/netns'];

export function parseNsLink(link: string): number | null {
  const m = /^net:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

// Synchronous: hundreds of readlinks cost less than a promise each (measured: ~6-20 ms vs ~9-30 ms for 350 pids).
function procNamespaces(into: Map<number, RawNamespace>): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  const pids = entries.filter((e) => /^\d+$/.test(e)).map(Number);
  pids.sort((a, b) => a - b);
  for (const pid of pids) {
    let inode: number | null;
    try {
      inode = parseNsLink(readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      continue; // EACCES, ENOENT (process gone): tolerated
    }
    if (inode == null) continue;
    const ns = ensure(into, inode);
    if (!ns.isHost || ns.pids.length < HOST_MAX_PIDS) ns.pids.push(pid);
  }
}

// Synchronous, like procNamespaces: a stat of a bind mount on tmpfs costs microseconds, a promise
// each (through libuv's thread pool) more, and node:fs/promises ~1.7 ms to load.
function bindMountedNamespaces(into: Map<number, RawNamespace>, nsfsDev: number): void {
  for (const dir of BIND_DIRS) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = `${dir}/${name}`;
      try {
        const st = statSync(path);
        // Only a live bind mount is on nsfs; a plain file left behind is not a namespace.
        if (st.dev !== nsfsDev) continue;
        const ns = ensure(into, st.ino);
        ns.paths.push(path);
        if (dir === '/run/netns') ns.netnsNames.push(name);
      } catch {
        /* gone or unreadable */
      }
    }
  }
}

function ensure(map: Map<number, RawNamespace>, inode: number): RawNamespace {
  let ns = map.get(inode);
  if (!ns) {
    ns = { inode, isHost: false, pids: [], paths: [], netnsNames: [], links: [], error: null };
    map.set(inode, ns);
  }
  return ns;
}

/** A path that leads into the namespace: a bind mount first (it outlives processes), else a process's. */
export function entryPath(ns: Pick<RawNamespace, 'paths' | 'pids'>): string | null {
  return ns.paths[0] ?? (ns.pids[0] !== undefined ? `/proc/${ns.pids[0]}/ns/net` : null);
}

/** Our own namespace: the host's, since vethscope runs there. stat follows the link onto nsfs. */
function hostNamespace(): { inode: number; dev: number } {
  const st = statSync('/proc/self/ns/net');
  return { inode: st.ino, dev: st.dev };
}

/** How many of a namespace's processes are tried when the first ones have exited meanwhile. */
const ENTRY_TRIES = 4;

/**
 * An open fd on the namespace itself: its bind mounts, then its processes (lowest pid first: a
 * short-lived child may be gone by now), each checked by inode on the open fd, so a pid reused
 * by a process of another namespace is never entered.
 */
export function openNamespace(ns: Pick<RawNamespace, 'inode' | 'paths' | 'pids'>): number | null {
  const candidates = [...ns.paths, ...ns.pids.slice(0, ENTRY_TRIES).map((pid) => `/proc/${pid}/ns/net`)];
  for (const path of candidates) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY);
    } catch {
      continue;
    }
    if (fstatSync(fd).ino === ns.inode) return fd;
    closeSync(fd);
  }
  return null;
}

async function readLinks(ns: RawNamespace, ip: string, nsenter: string | null): Promise<void> {
  const ipArgs = ['-json', '-details', 'addr', 'show'];
  let result;
  if (ns.isHost) {
    result = await execFileResult(ip, ipArgs, { timeoutMs: 10_000 });
  } else {
    const fd = nsenter ? openNamespace(ns) : null;
    if (!nsenter || fd === null) {
      ns.error = nsenter ? 'every way into this namespace is gone (its processes exited)' : 'no way into this namespace';
      return;
    }
    try {
      result = await execFileResult(nsenter, ['--net=/proc/self/fd/3', '--', ip, ...ipArgs], { timeoutMs: 10_000, extraFds: [fd] });
    } finally {
      closeSync(fd);
    }
  }
  if (result.code !== 0) {
    ns.error = (result.stderr.trim() || `exit ${result.code}`).split('\n')[0]!;
    return;
  }
  try {
    ns.links = parseIpAddrJson(result.stdout);
    ns.source = 'ip';
  } catch (e) {
    ns.error = `could not parse ip output: ${(e as Error).message}`;
  }
}

export interface ScanOptions {
  /** Parallel `ip` processes. */
  concurrency?: number;
  /** Try the fast sysfs path for namespaces with a process (default true); false = `ip` in every namespace. */
  sysfs?: boolean;
}

export async function scanNamespaces(opts: ScanOptions = {}): Promise<NamespaceScan> {
  const warnings: string[] = [];
  const map = new Map<number, RawNamespace>();
  const { inode: host, dev: nsfsDev } = hostNamespace();
  ensure(map, host).isHost = true;
  procNamespaces(map);
  bindMountedNamespaces(map, nsfsDev);
  const ip = findTool('ip');
  if (!ip) {
    return { hostInode: host, namespaces: [...map.values()], privileged: false, warnings: ['iproute2 (ip) is not installed'] };
  }
  const privileged = process.getuid?.() === 0;
  const nsenter = privileged ? findTool('nsenter') : null;
  if (!privileged) warnings.push('not running as root: only the host namespace was read');
  const list = [...map.values()];
  const concurrency = opts.concurrency ?? 4;
  const viaIp = (items: RawNamespace[]) =>
    mapPool(items, concurrency, async (ns) => {
      if (!ns.isHost && !privileged) {
        ns.error = 'needs root to enter';
        return;
      }
      await readLinks(ns, ip, nsenter);
    });

  const trySysfs = privileged && opts.sysfs !== false ? list.filter((ns) => !ns.isHost && ns.pids.length > 0) : [];
  const sysfsSet = new Set(trySysfs);
  const first = list.filter((ns) => !sysfsSet.has(ns));
  // The host and bind-mount-only namespaces go to `ip` now; the sysfs reads run while those children work.
  const ipDone = viaIp(first);
  const fast = new Map<RawNamespace, SysfsLink[]>();
  const retry: RawNamespace[] = [];
  // Through each namespace's first process, if that process still lives in it afterwards (PID reuse).
  const read = await readNamespacesSysfs(trySysfs.map((ns) => ns.pids[0]!));
  for (const ns of trySysfs) {
    const r = read.get(ns.pids[0]!);
    if (r?.ok && stillIn(ns.pids[0]!, ns.inode)) fast.set(ns, r.links);
    else retry.push(ns);
  }
  await ipDone;
  const { accepted, rejected } = pairSysfsNamespaces(first, fast);
  for (const [ns, links] of accepted) {
    ns.links = links;
    ns.source = 'sysfs';
  }
  // resolvePeers stays the judge: a namespace read here joins the candidates, so a sysfs
  // link it could also pair with becomes ambiguous there rather than wrong.
  await viaIp([...retry, ...rejected.keys()]);

  for (const ns of list) if (ns.error && privileged) warnings.push(`namespace ${ns.inode}: ${ns.error}`);
  return { hostInode: host, namespaces: list, privileged, warnings };
}

function stillIn(pid: number, inode: number): boolean {
  try {
    return parseNsLink(readlinkSync(`/proc/${pid}/ns/net`)) === inode;
  } catch {
    return false;
  }
}
