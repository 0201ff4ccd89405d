// Where counters come from. The host's /proc/net/dev (one read per tick),
// /proc/PID/net/dev for namespaces with a known process (no entering), and a
// privileged reader for namespaces with neither (helper, or nsenter as root).
import { readFileSync, readlinkSync } from 'node:fs';
import { parseNsLink } from '../../kernel/namespaces';
import { parseProcNetDev, type Counters } from '../../kernel/proc-net-dev';
import type { NamespaceRead } from './plan';
import { monotonicSec } from '../../util/clock';

export interface HostReading {
  /** Monotonic seconds when read. */
  at: number;
  counters: Map<string, Counters>;
  ifindex: Map<string, number | null>;
}

export interface NsReading {
  inode: number;
  at: number;
  counters: Map<string, Counters> | null;
  error: string | null;
  /** The way in no longer leads to this namespace (process gone or reused): topology is stale. */
  stale: boolean;
}

export interface CounterSource {
  readHost(): HostReading;
  readNamespaces(reads: readonly NamespaceRead[]): Promise<NsReading[]>;
}

/** Reads namespaces it cannot see from /proc: the helper's readCounters, or nsenter when root. */
export interface PrivilegedCounterReader {
  /** Let go of anything held between reads (sampling stopped). */
  releaseAll?(): void;
  read(handles: Array<{ inode: number; path: string }>): Promise<Map<number, Map<string, Counters> | string>>;
}

export class LocalCounterSource implements CounterSource {
  private ifindexCache = new Map<string, number | null>();

  constructor(
    private readonly privileged: PrivilegedCounterReader | null,
    private readonly procRoot = '/proc',
    private readonly sysRoot = '/sys',
  ) {}

  readHost(): HostReading {
    const text = readFileSync(`${this.procRoot}/self/net/dev`, 'latin1');
    const at = monotonicSec();
    const counters = parseProcNetDev(text);
    // ifindex only when the set of names changed: 110 sysfs reads cost ~1.7 ms,
    // too much for every tick; a same-name recreation still shows as a counter reset.
    let same = counters.size === this.ifindexCache.size;
    if (same) for (const name of counters.keys()) if (!this.ifindexCache.has(name)) same = false;
    if (!same) {
      const next = new Map<string, number | null>();
      for (const name of counters.keys()) next.set(name, this.readIfindex(name));
      this.ifindexCache = next;
    }
    return { at, counters, ifindex: this.ifindexCache };
  }

  private readIfindex(name: string): number | null {
    try {
      const n = Number(readFileSync(`${this.sysRoot}/class/net/${name}/ifindex`, 'latin1').trim());
      return Number.isInteger(n) ? n : null;
    } catch {
      return null; // gone between the two reads
    }
  }

  async readNamespaces(reads: readonly NamespaceRead[]): Promise<NsReading[]> {
    const out: NsReading[] = [];
    const viaPrivileged: NamespaceRead[] = [];
    for (const r of reads) {
      if (r.pid !== null) {
        const got = this.readPid(r.pid, r.inode);
        if (got) {
          out.push(got);
          continue;
        }
      }
      if (r.path && !(r.pid !== null && r.path === `/proc/${r.pid}/ns/net`)) viaPrivileged.push(r);
      else out.push({ inode: r.inode, at: monotonicSec(), counters: null, error: 'no process or bind mount leads into it', stale: true });
    }
    if (viaPrivileged.length === 0) return out;
    if (!this.privileged) {
      for (const r of viaPrivileged) out.push({ inode: r.inode, at: monotonicSec(), counters: null, error: 'needs root or the helper', stale: false });
      return out;
    }
    try {
      const res = await this.privileged.read(viaPrivileged.map((r) => ({ inode: r.inode, path: r.path! })));
      const at = monotonicSec();
      for (const r of viaPrivileged) {
        const v = res.get(r.inode);
        if (v instanceof Map) out.push({ inode: r.inode, at, counters: v, error: null, stale: false });
        else out.push({ inode: r.inode, at, counters: null, error: v ?? 'no reply for this namespace', stale: false });
      }
    } catch (err) {
      for (const r of viaPrivileged) out.push({ inode: r.inode, at: monotonicSec(), counters: null, error: (err as Error).message, stale: false });
    }
    return out;
  }

  /** /proc/PID/net/dev, if PID is still in that namespace; null means "try another way". */
  private readPid(pid: number, inode: number): NsReading | null {
    try {
      if (parseNsLink(readlinkSync(`${this.procRoot}/${pid}/ns/net`)) !== inode) return null;
      const text = readFileSync(`${this.procRoot}/${pid}/net/dev`, 'latin1');
      const at = monotonicSec();
      // The process could have moved between the two reads: check again.
      if (parseNsLink(readlinkSync(`${this.procRoot}/${pid}/ns/net`)) !== inode) return null;
      return { inode, at, counters: parseProcNetDev(text), error: null, stale: false };
    } catch {
      return null;
    }
  }
}
