// Which side cannot keep up while a capture runs, said in words a person can act on: the
// capture engine's CPU (tcpdump/dumpcap at a whole core), the disk the file is on (busy all
// the time), or neither while the kernel still drops (bursts overflow the ring). Read from
// what the user may read anyway: /proc/PID/stat of the capture processes (they run as the
// user) and /sys/dev/block/MAJ:MIN/stat of the output's disk.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import type { CaptureBottleneck } from '../../../shared/capture';
import { formatBitRate, formatBytes } from '../../../shared/units';
import { parseProcNetDev } from '../../kernel/proc-net-dev';

/** /proc/PID/stat times are in USER_HZ, which Linux fixes at 100 for every program. */
const USER_HZ = 100;
/** A capture process above this share of one core is the bottleneck. */
const CPU_SATURATED = 0.85;
/** A disk busy this share of the time is the bottleneck. */
const DISK_SATURATED = 0.9;
/** A short snap length that still holds Ethernet, IPv6 and TCP headers with options. */
const SHORT_SNAPLEN = 96;
/** Each verdict covers at least this long. */
const WINDOW_MS = 950;

/** CPU seconds a process has used, or null once it is gone. */
export function processCpuSec(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / USER_HZ; // utime, stime (fields 14 and 15)
  } catch {
    return null;
  }
}

/** All CPUs' time so far, busy and total, in USER_HZ ticks (/proc/stat's first line). */
export function machineCpuTicks(): { busy: number; total: number } | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user nice system idle iowait irq softirq steal
    return { busy: total - f[3]! - f[4]!, total };
  } catch {
    return null;
  }
}

/**
 * Packets the interface carried (both directions, what a capture on it sees), read through the
 * capture process's own /proc entry: it runs in that interface's namespace, as the user.
 */
export function wirePackets(pid: number, iface: string): number | null {
  try {
    const c = parseProcNetDev(readFileSync(`/proc/${pid}/net/dev`, 'utf8')).get(iface);
    return c ? c.rxPackets + c.txPackets : null;
  } catch {
    return null;
  }
}

/** The block device a file lives on, as /sys names it (`8:1`), or null (tmpfs, overlay, NFS). */
export function blockDeviceOf(path: string): { id: string; name: string } | null {
  try {
    const dev = statSync(path).dev;
    const major = Number((BigInt(dev) >> 8n) & 0xfffn) | Number((BigInt(dev) >> 32n) & ~0xfffn);
    const minor = Number(BigInt(dev) & 0xffn) | Number((BigInt(dev) >> 12n) & ~0xffn);
    if (major === 0) return null; // no block device behind it (tmpfs, overlay, btrfs subvolumes)
    const id = `${major}:${minor}`;
    readFileSync(`/sys/dev/block/${id}/stat`, 'utf8');
    const name = realpathSync(`/sys/dev/block/${id}`).split('/').pop() ?? id;
    return { id, name };
  } catch {
    return null;
  }
}

/** Milliseconds the device has spent doing I/O (field 10 of its stat), or null. */
export function diskBusyMs(id: string): number | null {
  try {
    const f = readFileSync(`/sys/dev/block/${id}/stat`, 'utf8').trim().split(/\s+/);
    return Number(f[9]);
  } catch {
    return null;
  }
}

export interface Window {
  seconds: number;
  /** The busiest capture process: its share of one core, its engine and interface. */
  cpu: { share: number; engine: string; label: string } | null;
  /** Share of all the machine's CPU time that was busy (the traffic itself costs CPU on a veth). */
  machineBusy: number | null;
  /** The output's disk: share of the time busy, its name. */
  disk: { busy: number; name: string } | null;
  /** Kernel drops in the window (null: the engine reports them only at its end, dumpcap). */
  drops: number | null;
  packets: number;
  /** Bytes of the packets on the wire (not as written). */
  bytes: number;
  snaplen: number;
}

/** What a shorter snap length would write, as a share of what is written now. */
function shortSnaplenShare(w: Window): number | null {
  if (!w.packets || w.snaplen <= SHORT_SNAPLEN) return null;
  const perPacket = w.bytes / w.packets;
  if (perPacket <= SHORT_SNAPLEN * 1.5) return null;
  return (Math.min(SHORT_SNAPLEN, perPacket) + 32) / (Math.min(w.snaplen, perPacket) + 32);
}

/** The verdict on one window: null while everything keeps up. */
export function judgeBottleneck(w: Window): CaptureBottleneck | null {
  const share = shortSnaplenShare(w);
  const advice = share ? `--snaplen ${SHORT_SNAPLEN} writes about ${Math.max(1, Math.round(share * 100))}% of the bytes; a capture filter lowers the load too.` : 'A capture filter lowers the load.';
  const lost = w.drops === null ? 'it is probably dropping packets (dumpcap reports drops when it stops)' : w.drops > 0 ? `${w.drops} packets were lost in ${Math.round(w.seconds)} s` : null;
  const dropping = w.drops === null || w.drops > 0;
  if (w.disk && w.disk.busy >= DISK_SATURATED && dropping) {
    return { kind: 'disk', message: `the disk (${w.disk.name}) is ${Math.round(w.disk.busy * 100)}% busy writing ${formatBytes(w.bytes / w.seconds)}/s: it is the bottleneck, ${lost}. ${advice.replace(/\.$/, '')}, or capture to a faster disk.` };
  }
  if (w.cpu && w.cpu.share >= CPU_SATURATED && dropping) {
    return { kind: 'cpu', message: `${w.cpu.engine} on ${w.cpu.label} uses ${Math.round(w.cpu.share * 100)}% of a core at ${formatBitRate(w.bytes / w.seconds)}: the capture engine is the bottleneck, ${lost}. ${advice}` };
  }
  if (w.machineBusy !== null && w.machineBusy >= CPU_SATURATED && w.drops !== null && w.drops > 0) {
    const got = w.cpu && w.cpu.share >= 0.05 ? `; ${w.cpu.engine} got ${Math.round(w.cpu.share * 100)}% of one` : '';
    return { kind: 'cpu', message: `the machine's CPUs are ${Math.round(w.machineBusy * 100)}% busy${got}: the capture does not get the CPU time it needs, ${lost}. ${advice}` };
  }
  if (w.drops && w.drops > 0) {
    return { kind: 'kernel', message: `${lost} while neither the CPU nor the disk is saturated: bursts overflow the kernel's capture buffer. ${advice}` };
  }
  return null;
}


interface Sample {
  t: number;
  cpu: Map<number, number>;
  /** Packets the captured interfaces carried, summed (null: not measurable). */
  wire: number | null;
  machine: { busy: number; total: number } | null;
  diskMs: number | null;
  drops: number | null;
  packets: number;
  bytes: number;
}

/**
 * dumpcap has no live drop count. Packets the interfaces carried that the file does not hold
 * yet are in flight (the kernel's ring, dumpcap's buffer, our walk of the file) until more are
 * missing than those could hold: only growth past twice the rings' capacity counts as loss.
 * (A per-window difference took a ring filling at a burst's start for a loss.)
 */
export class WireLossEstimate {
  private base: { wire: number; packets: number } | null = null;
  private lost = 0;

  /** Packets lost since the last call, given the totals so far and the rings' bytes. */
  update(wire: number, packets: number, bytes: number, ringBytes: number, snaplen: number): number {
    if (!this.base) {
      this.base = { wire, packets };
      return 0;
    }
    const inFlight = wire - this.base.wire - (packets - this.base.packets);
    const perPacket = Math.min(snaplen, packets > 0 ? bytes / packets : 1500) + RING_FRAME_OVERHEAD;
    const lostNow = Math.max(0, inFlight - (2 * ringBytes) / perPacket);
    const more = lostNow - this.lost;
    if (more < LOSS_NOISE) return 0;
    this.lost = lostNow;
    return Math.round(more);
  }
}

/** TPACKET frame header and alignment per packet in the kernel's ring. */
const RING_FRAME_OVERHEAD = 96;
/** Fewer missing packets than this in a window are counting noise, not loss. */
const LOSS_NOISE = 100;

/** Samples a running capture and keeps the verdict on the last window of about a second. */
export class BottleneckProbe {
  private readonly procs = new Map<number, { engine: string; label: string; iface: string; ringBytes: number }>();
  private readonly wireLoss = new WireLossEstimate();
  private readonly disk: { id: string; name: string } | null;
  private prev: Sample | null = null;
  verdict: CaptureBottleneck | null = null;

  /**
   * `filtered`: a capture filter is set, so the interface's own packet count says nothing about
   * what the capture should hold (no drop estimate for engines without a live count).
   */
  constructor(
    outputPath: string,
    private readonly snaplen: number,
    private readonly filtered = false,
    /** The machine's CPU time so far (a test hands in an idle machine: the real one may be busy with other tests). */
    private readonly machine: () => { busy: number; total: number } | null = machineCpuTicks,
  ) {
    this.disk = outputPath ? blockDeviceOf(outputPath) : null;
  }

  /** A capture process the helper started (its pid in our PID namespace) on `iface`, with its kernel ring. */
  watch(pid: number, engine: string, label: string, iface: string, bufferKiB: number): void {
    this.procs.set(pid, { engine, label, iface, ringBytes: bufferKiB * 1024 });
  }

  /** What the interfaces carried, when every one of them can be read. */
  private wire(): number | null {
    if (this.filtered || !this.procs.size) return null;
    let sum = 0;
    for (const [pid, p] of this.procs) {
      const n = wirePackets(pid, p.iface);
      if (n === null) return null;
      sum += n;
    }
    return sum;
  }

  /** Call about once a second with the capture's totals; `drops` null when the engine has no live count. */
  sample(totals: { drops: number | null; packets: number; bytes: number }, now = Date.now()): CaptureBottleneck | null {
    const p = this.prev;
    if (p && now - p.t < WINDOW_MS) return this.verdict;
    const s: Sample = { t: now, cpu: new Map(), wire: totals.drops === null ? this.wire() : null, machine: this.machine(), diskMs: this.disk ? diskBusyMs(this.disk.id) : null, ...totals };
    for (const pid of this.procs.keys()) {
      const c = processCpuSec(pid);
      if (c === null) this.procs.delete(pid);
      else s.cpu.set(pid, c);
    }
    this.prev = s;
    if (!p) return this.verdict;
    const seconds = (now - p.t) / 1000;
    let cpu: Window['cpu'] = null;
    for (const [pid, c] of s.cpu) {
      const before = p.cpu.get(pid);
      if (before === undefined) continue;
      const share = (c - before) / seconds;
      if (!cpu || share > cpu.share) cpu = { share, ...this.procs.get(pid)! };
    }
    const disk = this.disk && s.diskMs !== null && p.diskMs !== null ? { busy: Math.min(1, (s.diskMs - p.diskMs) / (seconds * 1000)), name: this.disk.name } : null;
    let drops = s.drops === null || p.drops === null ? null : Math.max(0, s.drops - p.drops);
    if (drops === null && s.wire !== null) {
      const ringBytes = [...this.procs.values()].reduce((sum, x) => sum + x.ringBytes, 0);
      drops = this.wireLoss.update(s.wire, s.packets, s.bytes, ringBytes, this.snaplen);
    }
    const machineBusy = s.machine && p.machine && s.machine.total > p.machine.total ? (s.machine.busy - p.machine.busy) / (s.machine.total - p.machine.total) : null;
    this.verdict = judgeBottleneck({ seconds, cpu, machineBusy, disk, drops, packets: s.packets - p.packets, bytes: s.bytes - p.bytes, snaplen: this.snaplen });
    return this.verdict;
  }
}
