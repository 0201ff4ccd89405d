// Fixed-size history of (time, rx, tx) points: no allocation per tick, oldest overwritten.
export interface HistoryPoint {
  time: number;
  rxBytesPerSec: number;
  txBytesPerSec: number;
}

export class RateRing {
  private readonly data: Float64Array;
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.data = new Float64Array(Math.max(1, capacity) * 3);
  }

  push(time: number, rx: number, tx: number): void {
    const cap = this.data.length / 3;
    const at = ((this.start + this.size) % cap) * 3;
    this.data[at] = time;
    this.data[at + 1] = rx;
    this.data[at + 2] = tx;
    if (this.size < cap) this.size++;
    else this.start = (this.start + 1) % cap;
  }

  /** Points with time >= since, oldest first. */
  since(since: number): HistoryPoint[] {
    const cap = this.data.length / 3;
    const out: HistoryPoint[] = [];
    for (let i = 0; i < this.size; i++) {
      const at = ((this.start + i) % cap) * 3;
      if (this.data[at]! >= since) out.push({ time: this.data[at]!, rxBytesPerSec: this.data[at + 1]!, txBytesPerSec: this.data[at + 2]! });
    }
    return out;
  }

  get length(): number {
    return this.size;
  }

  latestTime(): number | null {
    if (this.size === 0) return null;
    const cap = this.data.length / 3;
    return this.data[((this.start + this.size - 1) % cap) * 3]!;
  }
}
