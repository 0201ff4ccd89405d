import { describe, expect, it } from 'vitest';
import { parseProcNetDev, swapDirection, type Counters } from '../../../../electron/kernel/proc-net-dev';
import { RateTracker } from '../../../../electron/backend/rates/rate-tracker';
import { RateRing } from '../../../../electron/backend/rates/ring';

const c = (rx: number, tx: number, pk = 0): Counters => ({ rxBytes: rx, rxPackets: pk, rxErrors: 0, rxDropped: 0, txBytes: tx, txPackets: pk, txErrors: 0, txDropped: 0 });

describe('parseProcNetDev', () => {
  it('reads rx and tx columns and skips headers and junk', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
vethab12: 2000 20 1 2 0 0 0 0 3000 30 3 4 0 0 0 0
  bad: 1 2 3
`;
    const m = parseProcNetDev(text);
    expect([...m.keys()]).toEqual(['lo', 'vethab12']);
    expect(m.get('vethab12')).toEqual({ rxBytes: 2000, rxPackets: 20, rxErrors: 1, rxDropped: 2, txBytes: 3000, txPackets: 30, txErrors: 3, txDropped: 4 });
    expect(swapDirection(m.get('vethab12')!).rxBytes).toBe(3000);
  });
});

describe('RateTracker', () => {
  it('divides deltas by the measured elapsed time, not the nominal interval', () => {
    const t = new RateTracker();
    expect(t.update('k', 5, c(0, 0), 10)).toBeNull();
    const r = t.update('k', 5, c(3000, 1000, 10), 11.5)!;
    expect(r.rxBytesPerSec).toBeCloseTo(2000);
    expect(r.txBytesPerSec).toBeCloseTo(666.67, 1);
    expect(r.rxPacketsPerSec).toBeCloseTo(6.67, 1);
  });

  it('restarts the baseline when a counter goes backwards (never negative)', () => {
    const t = new RateTracker();
    t.update('k', null, c(1e9, 1e9), 0);
    expect(t.update('k', null, c(500, 1e9 + 10), 1)).toBeNull();
    expect(t.resets).toBe(1);
    expect(t.update('k', null, c(1500, 1e9 + 20), 2)!.rxBytesPerSec).toBe(1000);
  });

  it('restarts the baseline when the ifindex changed even if counters grew (recreated interface)', () => {
    const t = new RateTracker();
    t.update('k', 7, c(100, 100), 0);
    // New interface under the same name that already moved more than the old one had: would be a fake spike.
    expect(t.update('k', 9, c(5e9, 5e9), 1)).toBeNull();
    const r = t.update('k', 9, c(5e9 + 100, 5e9), 2)!;
    expect(r.rxBytesPerSec).toBe(100);
    expect(r.txBytesPerSec).toBe(0);
  });

  it('skips readings too close together instead of amplifying jitter, keeping the older baseline', () => {
    const t = new RateTracker();
    t.update('k', 1, c(0, 0), 0);
    expect(t.update('k', 1, c(10, 0), 0.001)).toBeNull();
    expect(t.update('k', 1, c(1000, 0), 1)!.rxBytesPerSec).toBe(1000);
  });

  it('forgets interfaces not seen for several ticks, then treats a return as new', () => {
    const t = new RateTracker();
    t.update('k', 1, c(0, 0), 0);
    for (let i = 0; i < 7; i++) t.sweep();
    expect(t.size).toBe(0);
    expect(t.update('k', 1, c(1e6, 0), 100)).toBeNull();
  });
});

describe('RateRing', () => {
  it('keeps the newest capacity points, oldest first, and filters by time', () => {
    const r = new RateRing(3);
    for (let i = 1; i <= 5; i++) r.push(i, i * 10, i);
    expect(r.since(0).map((p) => p.time)).toEqual([3, 4, 5]);
    expect(r.since(4).map((p) => p.rxBytesPerSec)).toEqual([40, 50]);
    expect(r.latestTime()).toBe(5);
  });
});

describe('helperCounterReader', () => {
  it("reads the helper's readCounters reply, per-namespace errors as data", async () => {
    const { helperCounterReader } = await import('../../../../electron/backend/rates/helper-counters');
    const reader = helperCounterReader({
      request: async () => ({
        namespaces: [
          { inode: 5, error: null, links: [{ ifname: 'mv0', ifindex: 3, rxBytes: 10, rxPackets: 1, rxErrors: 0, rxDropped: 0, txBytes: 20, txPackets: 2, txErrors: 4, txDropped: 1 }] },
          { inode: 6, error: { code: 'NOT_FOUND', message: 'gone' }, links: [] },
        ],
      }),
    });
    const got = await reader.read([{ inode: 5, path: '/run/netns/x' }, { inode: 6, path: '/run/netns/y' }]);
    // The helper protocol types the reply (shared/helper-protocol.ts): every counter passes through as it is.
    expect((got.get(5) as Map<string, Counters>).get('mv0')).toEqual({ rxBytes: 10, rxPackets: 1, rxErrors: 0, rxDropped: 0, txBytes: 20, txPackets: 2, txErrors: 4, txDropped: 1 });
    expect(got.get(6)).toBe('gone');
  });
});
