// Merges per-interface record streams (each already in time order) into one
// time-ordered stream. A record leaves when every live interface has something
// queued (so nothing earlier can still come), or when it has waited `holdMs`
// (a quiet interface must not stall the others forever), or when more than
// `maxBytes` are queued (records are views of pipe chunks: memory stays bounded
// at full rate, at the price of order across interfaces beyond that window).
import type { PcapRecord } from '../../../formats/pcap/pcap-stream';

export interface Queued {
  iface: number;
  rec: PcapRecord;
  /** Nanoseconds within the second, whatever the source's resolution. */
  ns: number;
  arrived: number;
}

class Queue {
  items: Array<Queued | undefined> = [];
  head = 0;
  live = true;
  get size(): number {
    return this.items.length - this.head;
  }
  peek(): Queued | undefined {
    return this.items[this.head];
  }
  shift(): Queued {
    const q = this.items[this.head]!;
    this.items[this.head++] = undefined; // the record (and the pipe chunk it views) is free once written
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return q;
  }
}

const earlier = (a: Queued, b: Queued) => a.rec.tsSec < b.rec.tsSec || (a.rec.tsSec === b.rec.tsSec && a.ns < b.ns);

export class Merger {
  private queues: Queue[] = [];

  /** capLen bytes queued over every interface. */
  bytes = 0;

  constructor(
    private readonly holdMs = 200,
    private readonly maxBytes = 16 << 20,
  ) {}

  addInterface(): number {
    this.queues.push(new Queue());
    return this.queues.length - 1;
  }

  /** The interface will deliver nothing more: stop waiting for it. */
  endInterface(i: number): void {
    const q = this.queues[i];
    if (q) q.live = false;
  }

  push(iface: number, recs: PcapRecord[], nanos: boolean, now = Date.now()): void {
    const q = this.queues[iface]!;
    for (let rec of recs) {
      // A record assembled in the parser's scratch buffer is overwritten by its next push: keep a copy.
      if (rec.transient) rec = { ...rec, data: Buffer.from(rec.data), transient: false };
      q.items.push({ iface, rec, ns: nanos ? rec.tsFrac : rec.tsFrac * 1000, arrived: now });
      this.bytes += rec.capLen;
    }
  }

  /** Records ready to write, oldest first. `all` drains everything (at stop). */
  take(now = Date.now(), all = false): Queued[] {
    const out: Queued[] = [];
    for (;;) {
      let best: Queue | null = null;
      let waitingOnEmptyLive = false;
      for (const q of this.queues) {
        const h = q.peek();
        if (!h) {
          if (q.live) waitingOnEmptyLive = true;
          continue;
        }
        if (!best || earlier(h, best.peek()!)) best = q;
      }
      if (!best) break;
      const h = best.peek()!;
      if (!all && waitingOnEmptyLive && now - h.arrived < this.holdMs && this.bytes <= this.maxBytes) break;
      out.push(best.shift());
      this.bytes -= h.rec.capLen;
    }
    return out;
  }

  /** Forget everything queued (the capture is over). */
  clear(): void {
    for (const q of this.queues) {
      q.items = [];
      q.head = 0;
    }
    this.bytes = 0;
  }

  get queued(): number {
    return this.queues.reduce((n, q) => n + q.size, 0);
  }
}
