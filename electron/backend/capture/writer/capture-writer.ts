// What both writers share: the live view's sample ring, the stop limits, one end.
// A writer turns the pcap streams of a capture's tcpdumps into the file the user
// keeps. It runs in the unprivileged backend, as the user: the file is the user's,
// quotas and the root-reserved blocks hold, and a damaged or hostile stream can only
// hurt the user's own process.
//   MergedWriter: each tcpdump writes into a FIFO; records are merged in time order
//                 into pcapng (or pcap of one interface), with a ring of files if asked.
//   DirectWriter: one tcpdump writes classic pcap straight into the file; the writer
//                 only reads record headers back (counts, samples, limits, disk full).
import type { ErrorInfo } from '../../../../shared/result';
import type { TcpdumpCounters } from '../../../../shared/helper-protocol';
import type { PcapRecord } from '../../../formats/pcap/pcap-stream';

/** An interface as the file names it (pcapng Interface Description Block). */
export interface WriterIface {
  label: string;
  comment: string;
}

/** Where the next tcpdump (or dumpcap) writes, before the helper has given it an index. */
export interface PendingIface {
  output: string;
  /** dumpcap names and describes the interface in the file itself. */
  label?: string;
  comment?: string;
}

export interface PacketSample {
  iface: number;
  /** Its number in the order the writer saw packets (1 = the first), counting the ones not sampled. */
  no: number;
  tsSec: number;
  tsUsec: number;
  origLen: number;
  linkType: number;
  data: Buffer;
  /** Not a packet to list: only the time of the capture's earliest packet, whose sample was overwritten. */
  timeOnly?: true;
}

export interface WriterCounts {
  packets: number;
  bytes: number;
  files: string[];
  /** By helper index. */
  ifaces: Map<number, { packets: number; bytes: number }>;
}

export type LimitReason = 'count' | 'size';

export interface WriterHooks {
  /** A stop limit was reached: nothing more goes into the file; stop the capture. */
  onLimit(reason: LimitReason): void;
  /** Writing failed (disk full, quota, I/O): the file is cut back to whole records; stop the capture. */
  onFailure(reason: 'disk-full' | 'error', error: ErrorInfo): void;
}

export interface WriterEnd {
  packets: number;
  bytes: number;
  files: string[];
  /** Why the writer itself ended the capture, if it did. */
  reason: LimitReason | 'disk-full' | 'error' | null;
  error: ErrorInfo | null;
}

export interface CaptureWriter {
  /** What the helper runs: tcpdump (pcap into a FIFO or the file) or dumpcap (pcapng into a part). */
  readonly engine: 'tcpdump' | 'dumpcap';
  readonly files: string[];
  /** Create the output (as the user, O_EXCL|O_NOFOLLOW, 0600) before anything runs. */
  open(): void;
  /** A new interface's tcpdump output; `confirm` once the helper gave it its index. */
  prepareInterface(desc: WriterIface): Promise<PendingIface>;
  confirm(pending: PendingIface, index: number): void;
  discard(pending: PendingIface): void;
  /** Every start interface is confirmed: write their descriptions and begin. */
  begin(): Promise<void>;
  counts(): WriterCounts;
  /** Recent packets' heads for the live view (oldest first); empties the ring. */
  takeSamples(): PacketSample[];
  /** Whether anyone watches the live packet list now (a writer may then read less back). */
  watch?(watched: boolean): void;
  /** Bring the samples up to now (asked for while nobody watched). */
  catchUp?(): void;
  /** tcpdumps were stopped: write what they wrote, close. Idempotent. */
  finish(final: TcpdumpCounters[] | null): Promise<WriterEnd>;
  /** The start failed: close and remove the output. */
  abort(): Promise<void>;
}

/** The live view's ring: no writer needs the heads of more packets than this per report. */
export const SAMPLE_MAX = 200;
export const SAMPLE_HEAD_BYTES = 256;

/**
 * The heads of the last SAMPLE_MAX packets, copied into preallocated slots: nothing
 * keeps a packet (or the chunk it came in) alive for the live view.
 */
export class SampleRing {
  private readonly slots = Array.from({ length: SAMPLE_MAX }, () => ({ iface: 0, no: 0, tsSec: 0, tsFrac: 0, origLen: 0, len: 0, head: Buffer.allocUnsafeSlow(SAMPLE_HEAD_BYTES) }));
  private next = 0;
  private count = 0;
  private seen = 0;
  /** The earliest packet's time (the first one in time order, whichever interface it came in on). */
  private earliest: { iface: number; tsSec: number; tsFrac: number; told: boolean } | null = null;

  add(iface: number, rec: Pick<PcapRecord, 'tsSec' | 'tsFrac' | 'capLen' | 'origLen' | 'data'>): void {
    const s = this.slots[this.next]!;
    this.next = (this.next + 1) % SAMPLE_MAX;
    if (this.count < SAMPLE_MAX) this.count++;
    s.iface = iface;
    s.no = ++this.seen;
    s.tsSec = rec.tsSec;
    s.tsFrac = rec.tsFrac;
    s.origLen = rec.origLen;
    s.len = rec.data.copy(s.head, 0, 0, Math.min(SAMPLE_HEAD_BYTES, rec.capLen));
    const e = this.earliest;
    if (!e || rec.tsSec < e.tsSec || (rec.tsSec === e.tsSec && rec.tsFrac < e.tsFrac)) this.earliest = { iface, tsSec: rec.tsSec, tsFrac: rec.tsFrac, told: false };
  }

  /** Oldest first, each head copied out; empties the ring. A new earliest packet comes first, as a time only. */
  take(describe: (iface: number) => { linkType: number; nanos: boolean } | null): PacketSample[] {
    const out: PacketSample[] = [];
    const e = this.earliest;
    const de = e && !e.told ? describe(e.iface) : null;
    if (e && de) {
      e.told = true;
      out.push({ iface: e.iface, no: 0, tsSec: e.tsSec, tsUsec: de.nanos ? Math.floor(e.tsFrac / 1000) : e.tsFrac, origLen: 0, linkType: de.linkType, data: Buffer.alloc(0), timeOnly: true });
    }
    for (let i = this.count; i > 0; i--) {
      const s = this.slots[(this.next - i + SAMPLE_MAX) % SAMPLE_MAX]!;
      const d = describe(s.iface);
      if (!d) continue;
      out.push({ iface: s.iface, no: s.no, tsSec: s.tsSec, tsUsec: d.nanos ? Math.floor(s.tsFrac / 1000) : s.tsFrac, origLen: s.origLen, linkType: d.linkType, data: Buffer.from(s.head.subarray(0, s.len)) });
    }
    this.count = 0;
    return out;
  }

  get size(): number {
    return this.count;
  }
}

/** Stop limits as the writer applies them: after the packet that reaches them. */
export class StopLimits {
  hit: LimitReason | null = null;

  constructor(private readonly stop: { packetCount?: number; maxBytes?: number }) {}

  /** Whether one more packet may go in (false once a limit was reached). */
  allows(packets: number): boolean {
    if (this.hit) return false;
    if (this.stop.packetCount && packets >= this.stop.packetCount) this.hit = 'count';
    return !this.hit;
  }

  /** After writing: reached now? */
  reached(packets: number, bytes: number): LimitReason | null {
    if (this.hit) return null;
    if (this.stop.maxBytes && bytes >= this.stop.maxBytes) this.hit = 'size';
    else if (this.stop.packetCount && packets >= this.stop.packetCount) this.hit = 'count';
    return this.hit;
  }
}
