// Namespaces a user may enter without root: those of their own rootless containers.
// Rootless Podman puts each container in a user namespace the user owns, so the user holds
// every capability there and `nsenter -U --preserve-credentials -n -t PID` enters its
// network namespace (the uid stays theirs). The rootless-netns (Podman's bridge for rootless
// networks) has no process of its own: slirp4netns names its bind mount, which exists in
// the mount namespace of Podman's pause process, so it is reached as /proc/PAUSE/root/PATH.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import type { RawNamespace } from '../../shared/helper-protocol';
import { execFileResult, findTool, mapPool } from '../util/exec';
import { parseIpAddrJson } from './ip-json';

const nsInode = (path: string, kind: 'net' | 'user'): number | null => {
  try {
    const m = new RegExp(`^${kind}:\\[(\\d+)\\]$`).exec(readlinkSync(path));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // another user's process, or gone
  }
};

function realUid(pid: number): number | null {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function argv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/** A namespace of ours and how to enter it: through a process of ours in it, or a bind mount seen from our user namespace. */
export interface OwnNamespace {
  raw: RawNamespace;
  /** nsenter arguments that enter it (user namespace first, then the network namespace). */
  enter: string[];
}

export interface OwnProcess {
  pid: number;
  netns: number;
  userns: number;
}

/** Our processes living in a user namespace other than ours (rootless containers, their pause and slirp4netns). */
export function ownContainedProcesses(uid = process.getuid?.() ?? -1): OwnProcess[] {
  const ourUserns = nsInode('/proc/self/ns/user', 'user');
  const out: OwnProcess[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    const pid = Number(e);
    const userns = nsInode(`/proc/${pid}/ns/user`, 'user');
    if (userns === null || userns === ourUserns) continue;
    const netns = nsInode(`/proc/${pid}/ns/net`, 'net');
    if (netns === null || realUid(pid) !== uid) continue;
    out.push({ pid, netns, userns });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** Every network namespace of our own rootless containers (not the host's), with a way in. */
export function ownNamespaces(hostInode: number, procs = ownContainedProcesses()): OwnNamespace[] {
  const byInode = new Map<number, OwnNamespace>();
  for (const p of procs) {
    if (p.netns === hostInode) continue;
    const known = byInode.get(p.netns);
    if (known) {
      known.raw.pids.push(p.pid);
      continue;
    }
    const raw: RawNamespace = { inode: p.netns, isHost: false, pids: [p.pid], paths: [], netnsNames: [], links: [], error: null };
    byInode.set(p.netns, { raw, enter: ['-U', '--preserve-credentials', '-n', '-t', String(p.pid)] });
  }
  // slirp4netns --netns-type=path PATH: the rootless-netns's bind mount, visible to the processes sharing Podman's mount namespace.
  let nsfsDev: number | null = null;
  try {
    nsfsDev = statSync('/proc/self/ns/net').dev;
  } catch {
    /* no procfs: nothing to find */
  }
  for (const p of procs) {
    const args = argv(p.pid);
    if (!args[0]?.endsWith('slirp4netns')) continue;
    const at = args.indexOf('--netns-type=path');
    const path = at >= 0 ? args[at + 1] : undefined;
    if (!path?.startsWith('/')) continue;
    for (const q of procs) {
      if (q.userns !== p.userns || q.pid === p.pid) continue;
      const via = `/proc/${q.pid}/root${path}`;
      let st;
      try {
        st = statSync(via);
      } catch {
        continue;
      }
      if (st.dev !== nsfsDev) continue;
      const name = path.slice(path.lastIndexOf('/') + 1);
      const known = byInode.get(st.ino);
      if (known) {
        if (!known.raw.netnsNames.includes(name)) known.raw.netnsNames.push(name);
      } else {
        const raw: RawNamespace = { inode: st.ino, isHost: false, pids: [], paths: [via], netnsNames: [name], links: [], error: null };
        byInode.set(st.ino, { raw, enter: ['--preserve-credentials', `--user=/proc/${q.pid}/ns/user`, `--net=${via}`] });
      }
      break;
    }
  }
  return [...byInode.values()];
}

/** Read each namespace's interfaces from inside it, as ourselves. */
export async function readOwnNamespaces(list: OwnNamespace[]): Promise<RawNamespace[]> {
  const nsenter = findTool('nsenter');
  const ip = findTool('ip');
  await mapPool(list, 4, async (ns) => {
    if (!nsenter || !ip) {
      ns.raw.error = 'nsenter and ip (util-linux, iproute2) are needed to read a rootless container';
      return;
    }
    const r = await execFileResult(nsenter, [...ns.enter, '--', ip, '-json', '-details', 'addr', 'show'], { timeoutMs: 10_000 });
    if (r.code !== 0) {
      ns.raw.error = (r.stderr.trim() || `exit ${r.code}`).split('\n')[0]!;
      return;
    }
    try {
      ns.raw.links = parseIpAddrJson(r.stdout);
      ns.raw.source = 'ip';
    } catch (e) {
      ns.raw.error = `could not parse ip output: ${(e as Error).message}`;
    }
  });
  return list.map((n) => n.raw);
}

/**
 * The pid to enter `/proc/PID/ns/net` by without root: ours, in a user namespace of ours,
 * and still in namespace `inode` (PID reuse). Null when root's help is needed.
 */
export function ownEntryPid(handle: { inode: number; path: string }, uid = process.getuid?.() ?? -1): number | null {
  const m = /^\/proc\/(\d+)\/ns\/net$/.exec(handle.path);
  if (!m || uid === 0) return null;
  const pid = Number(m[1]);
  const userns = nsInode(`/proc/${pid}/ns/user`, 'user');
  if (userns === null || userns === nsInode('/proc/self/ns/user', 'user') || realUid(pid) !== uid) return null;
  return nsInode(handle.path, 'net') === handle.inode ? pid : null;
}
