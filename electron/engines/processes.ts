// The process table as the namers need it: who is whose child, and the few facts about
// a process that say which engine started it (comm, argv, cgroup, owner, namespaces).
import type { HostFiles } from './host-files';
import { parseNsLink } from '../kernel/namespaces';

export interface Proc {
  pid: number;
  ppid: number;
  /** The kernel's 15-character process name. */
  comm: string;
}

export interface ProcessTable {
  byPid: Map<number, Proc>;
  children: Map<number, number[]>;
}

/** `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so cut at the last ')'. */
export function parseStat(text: string): Proc | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return null;
  return { pid, ppid, comm: text.slice(open + 1, close) };
}

export function readProcessTable(files: HostFiles): ProcessTable {
  const byPid = new Map<number, Proc>();
  const children = new Map<number, number[]>();
  for (const entry of files.list('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = files.read(`/proc/${entry}/stat`, { maxBytes: 4096, oneRead: true });
    const p = text ? parseStat(text) : null;
    if (!p) continue; // gone meanwhile
    byPid.set(p.pid, p);
  }
  for (const p of byPid.values()) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  for (const list of children.values()) list.sort((a, b) => a - b);
  return { byPid, children };
}

/** argv of a process (world-readable), [] when gone. */
export function argvOf(files: HostFiles, pid: number): string[] {
  const text = files.read(`/proc/${pid}/cmdline`, { maxBytes: 256 * 1024 });
  if (!text) return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/**
 * The real uid of a process (the `Uid:` line of /proc/PID/status), or null. Not the owner of
 * /proc/PID: a process that makes itself non-dumpable shows root there.
 */
export function uidOf(files: HostFiles, pid: number): number | null {
  const text = files.read(`/proc/${pid}/status`, { maxBytes: 64 * 1024, oneRead: true });
  const m = text ? /^Uid:\s+(\d+)/m.exec(text) : null;
  return m ? Number(m[1]) : null;
}

/** Every cgroup path of a process (v1 and v2 lines), e.g. `/libpod_parent/libpod-ID`. */
export function cgroupsOf(files: HostFiles, pid: number): string[] {
  const text = files.read(`/proc/${pid}/cgroup`, { maxBytes: 64 * 1024 });
  if (!text) return [];
  return text
    .split('\n')
    .map((l) => l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1))
    .filter((p) => p.length > 0);
}

/** The inode of a process's network namespace (readable by root and by the process's owner). */
export function netnsOf(files: HostFiles, pid: number): number | null {
  const link = files.readlink(`/proc/${pid}/ns/net`);
  return link ? parseNsLink(link) : null;
}

export function userNsOf(files: HostFiles, pid: number): number | null {
  const link = files.readlink(`/proc/${pid}/ns/user`);
  const m = link ? /^user:\[(\d+)\]$/.exec(link) : null;
  return m ? Number(m[1]) : null;
}

/**
 * The value of `container=` in a process's environment (the engines' own marker:
 * podman, lxc, systemd-nspawn). Nothing else of the environment leaves this function.
 */
export function containerMarkerOf(files: HostFiles, pid: number): string | null {
  const text = files.read(`/proc/${pid}/environ`, { maxBytes: 256 * 1024 });
  if (!text) return null;
  for (const kv of text.split('\0')) if (kv.startsWith('container=')) return kv.slice('container='.length) || null;
  return null;
}

/** The value after `flag` (`-n NAME`, `--name NAME`, `--name=NAME`, `-nNAME` for one-letter flags). */
export function flagValue(argv: string[], ...flags: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const f of flags) {
      if (a === f) return argv[i + 1] ?? null;
      if (f.startsWith('--') && a.startsWith(`${f}=`)) return a.slice(f.length + 1);
      if (!f.startsWith('--') && f.length === 2 && a.startsWith(f) && a.length > 2) return a.slice(2);
    }
  }
  return null;
}
