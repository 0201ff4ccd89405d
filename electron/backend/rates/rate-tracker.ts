// Turn successive counter readings into rates. A reading restarts its
// interface's baseline (and yields no rate) when the interface was recreated
// (ifindex changed) or any counter went backwards (reset, or a new interface
// under an old name): a rate is never negative and never a spike made of a
// whole counter's lifetime.
import type { Counters } from '../../kernel/proc-net-dev';

export interface Rates {
  rxBytesPerSec: number;
  txBytesPerSec: number;
  rxPacketsPerSec: number;
  txPacketsPerSec: number;
  /** Errors and drops counted during the interval (not per second). */
  rxErrors: number;
  txErrors: number;
  rxDropped: number;
  txDropped: number;
}

interface Baseline {
  ifindex: number | null;
  counters: Counters;
  /** Monotonic seconds of the reading. */
  at: number;
  seen: number;
}

const KEYS = ['rxBytes', 'rxPackets', 'rxErrors', 'rxDropped', 'txBytes', 'txPackets', 'txErrors', 'txDropped'] as const;
/** Shorter than this between two readings and the division amplifies jitter: skip. */
const MIN_ELAPSED_SEC = 0.05;

export class RateTracker {
  private readonly baselines = new Map<string, Baseline>();
  private generation = 0;
  resets = 0;

  /**
   * Record a reading; returns the rate since the previous reading of the same
   * key, or null for a first reading or a restarted baseline.
   */
  update(key: string, ifindex: number | null, counters: Counters, at: number): Rates | null {
    const prev = this.baselines.get(key);
    this.baselines.set(key, { ifindex, counters, at, seen: this.generation });
    if (!prev) return null;
    if (prev.ifindex !== null && ifindex !== null && prev.ifindex !== ifindex) {
      this.resets++;
      return null;
    }
    for (const k of KEYS) {
      if (counters[k] < prev.counters[k]) {
        this.resets++;
        return null;
      }
    }
    const dt = at - prev.at;
    if (!(dt >= MIN_ELAPSED_SEC)) {
      // Keep the older baseline so the next reading spans a sensible interval.
      this.baselines.set(key, prev);
      return null;
    }
    const d = (k: (typeof KEYS)[number]) => counters[k] - prev.counters[k];
    return {
      rxBytesPerSec: d('rxBytes') / dt,
      txBytesPerSec: d('txBytes') / dt,
      rxPacketsPerSec: d('rxPackets') / dt,
      txPacketsPerSec: d('txPackets') / dt,
      rxErrors: d('rxErrors'),
      txErrors: d('txErrors'),
      rxDropped: d('rxDropped'),
      txDropped: d('txDropped'),
    };
  }

  /** Call once per tick after all updates: forgets interfaces not read for a while. */
  sweep(keepTicks = 5): void {
    this.generation++;
    for (const [key, b] of this.baselines) if (this.generation - b.seen > keepTicks) this.baselines.delete(key);
  }

  /** Forget every baseline (sampling resumed after a pause: old readings would average over the gap). */
  clear(): void {
    this.baselines.clear();
  }

  get size(): number {
    return this.baselines.size;
  }
}
