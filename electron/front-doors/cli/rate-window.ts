// The capture progress line's rates: an average over the last few seconds. The
// backend's own rate covers only the last half second, which reads "0 pkt/s" between
// bursts of a perfectly busy capture.

export const RATE_WINDOW_MS = 5000;

interface Point {
  t: number;
  packets: number;
  bytes: number;
}

export class RateWindow {
  private readonly points: Point[] = [];

  constructor(private readonly spanMs = RATE_WINDOW_MS) {}

  /** The capture's totals at time `t` (ms). */
  add(t: number, packets: number, bytes: number): void {
    const last = this.points[this.points.length - 1];
    if (last && t <= last.t) return;
    this.points.push({ t, packets, bytes });
    // Keep one point at or before the window's start, so the average spans the whole window.
    while (this.points.length > 2 && this.points[1]!.t <= t - this.spanMs) this.points.shift();
  }

  /** Packets and bytes per second since the oldest point in the window; null until two points. */
  rate(): { packetsPerSec: number; bytesPerSec: number; seconds: number } | null {
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    if (!first || !last || last.t <= first.t) return null;
    const dt = (last.t - first.t) / 1000;
    return { packetsPerSec: Math.max(0, (last.packets - first.packets) / dt), bytesPerSec: Math.max(0, (last.bytes - first.bytes) / dt), seconds: dt };
  }
}
