// How each live hook folds fetched answers and pushed events into its value.
import { describe, expect, it } from 'vitest';
import { EMPTY_RATES, nextRatesView, SPARK_SECONDS } from '../../../renderer/src/hooks/useRates';
import { upsertCapture } from '../../../renderer/src/hooks/useCaptures';
import { MAX_PACKET_ROWS, mergePackets } from '../../../renderer/src/hooks/usePackets';
import { keepIfSame } from '../../../renderer/src/hooks/useTopology';
import type { RatesSample } from '../../../shared/rates';
import type { CaptureInfo, PacketSummary } from '../../../shared/capture';
import type { Topology } from '../../../shared/topology';

const sample = (time: number, containers: Array<[string, number]>): RatesSample => ({
  time,
  intervalSec: 1,
  interfaces: [{ netns: 7, name: 'eth0', rxBytesPerSec: time, txBytesPerSec: 0, rxPacketsPerSec: 0, txPacketsPerSec: 0, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0 }],
  containers: containers.map(([id, rx]) => ({ id, name: id, rxBytesPerSec: rx, txBytesPerSec: 1, rxPacketsPerSec: 0, txPacketsPerSec: 0 })),
});

describe('rates view', () => {
  it('appends rx+tx per container, indexes interfaces, bumps the version', () => {
    const a = nextRatesView(EMPTY_RATES, sample(100, [['c1', 10]]));
    const b = nextRatesView(a, sample(101, [['c1', 20], ['c2', 5]]));
    expect(b.history.get('c1')).toEqual([11, 21]);
    expect(b.history.get('c2')).toEqual([6]);
    expect(b.byIface.get('7/eth0')?.rxBytesPerSec).toBe(101);
    expect(b.version).toBe(2);
    expect(a.history.get('c1')).toEqual([11]); // the previous view is left as it was
  });

  it('the same or an older sample (poll and push both deliver it), or none, changes nothing', () => {
    const a = nextRatesView(EMPTY_RATES, sample(100, [['c1', 10]]));
    expect(nextRatesView(a, sample(100, [['c1', 99]]))).toBe(a);
    expect(nextRatesView(a, sample(99, [['c1', 99]]))).toBe(a);
    expect(nextRatesView(a, null)).toBe(a);
  });

  it('keeps the last 60 s; a container that is gone drops out', () => {
    let v = EMPTY_RATES;
    for (let t = 1; t <= SPARK_SECONDS + 5; t++) v = nextRatesView(v, sample(t, [['c1', t]]));
    expect(v.history.get('c1')).toHaveLength(SPARK_SECONDS);
    expect(v.history.get('c1')![0]).toBe(6 + 1);
    v = nextRatesView(v, sample(1000, [['c2', 1]]));
    expect([...v.history.keys()]).toEqual(['c2']);
  });
});

describe('captures list', () => {
  const cap = (id: string, packets: number) => ({ id, packets }) as unknown as CaptureInfo;
  it('a pushed capture replaces the one with its id in place, or comes first when new', () => {
    const list = [cap('a', 1), cap('b', 1)];
    expect(upsertCapture(list, cap('b', 9))).toEqual([cap('a', 1), cap('b', 9)]);
    expect(upsertCapture(list, cap('c', 0))).toEqual([cap('c', 0), cap('a', 1), cap('b', 1)]);
    expect(list).toEqual([cap('a', 1), cap('b', 1)]);
  });
});

describe('packet rows', () => {
  const pkts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ no: from + i }) as PacketSummary);
  it('adds only packets newer than the last row (a poll repeats what a push brought)', () => {
    const a = mergePackets([], pkts(1, 3));
    expect(mergePackets(a, pkts(2, 5)).map((p) => p.no)).toEqual([1, 2, 3, 4, 5]);
    expect(mergePackets(a, pkts(1, 3))).toBe(a);
  });
  it('keeps the newest rows only', () => {
    const many = mergePackets(pkts(1, MAX_PACKET_ROWS), pkts(MAX_PACKET_ROWS + 1, MAX_PACKET_ROWS + 10));
    expect(many).toHaveLength(MAX_PACKET_ROWS);
    expect(many[0]!.no).toBe(11);
    expect(many.at(-1)!.no).toBe(MAX_PACKET_ROWS + 10);
  });
});

describe('topology', () => {
  const topo = (generatedAt: string, containers: string[]) => ({ generatedAt, elapsedMs: 3, containers, namespaces: [] }) as unknown as Topology;
  it('a rescan that changed only its timestamps keeps the old object', () => {
    const a = topo('t1', ['x']);
    expect(keepIfSame(null, a)).toBe(a);
    expect(keepIfSame(a, { ...topo('t2', ['x']), elapsedMs: 9 } as Topology)).toBe(a);
    const b = topo('t3', ['x', 'y']);
    expect(keepIfSame(a, b)).toBe(b);
  });
});
