import { describe, expect, it } from 'vitest';
import { formatBitRate, formatBytes, formatCount, formatDuration, formatPacketRate } from '../../../shared/units';
import { jsonLine, renderTable } from '../../../electron/front-doors/cli/top-format';
import { counterLine } from '../../../electron/front-doors/cli/capture-command';
import type { CaptureInfo } from '../../../shared/capture';
import type { RatesSample } from '../../../shared/rates';

describe('formatBytes: SI prefixes, 1000-based like Wireshark', () => {
  it('exact strings at the unit boundaries', () => {
    const cases: Array<[number, string]> = [
      [0, '0 B'],
      [1, '1 B'],
      [999, '999 B'],
      [999.6, '1 kB'], // rounds up into the next unit, never "1000 B"
      [1000, '1 kB'],
      [1050, '1.1 kB'],
      [1500, '1.5 kB'],
      [12_345, '12.3 kB'],
      [99_949, '99.9 kB'],
      [99_960, '100 kB'],
      [123_456, '123 kB'],
      [999_499, '999 kB'],
      [999_950, '1 MB'],
      [1_500_000, '1.5 MB'],
      [2e9, '2 GB'],
      [3.25e12, '3.3 TB'],
      [5e15, '5000 TB'], // no unit above TB: the number grows
    ];
    expect(cases.map(([n]) => formatBytes(n))).toEqual(cases.map(([, s]) => s));
  });

  it('keeps a sign, shows a dash for what is not a number', () => {
    expect(formatBytes(-1500)).toBe('-1.5 kB');
    expect(formatBytes(-0.2)).toBe('0 B');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(Infinity)).toBe('—');
  });
});

describe('formatBitRate: bytes per second shown in bits per second', () => {
  it('exact strings at the unit boundaries', () => {
    const cases: Array<[number, string]> = [
      [0, '0 bit/s'],
      [0.05, '0 bit/s'],
      [1, '8 bit/s'],
      [124, '992 bit/s'],
      [125, '1 kbit/s'],
      [1000, '8 kbit/s'],
      [150_000, '1.2 Mbit/s'],
      [1_250_000, '10 Mbit/s'],
      [12_500_000, '100 Mbit/s'],
      [124_999_999, '1 Gbit/s'],
      [2.125e9, '17 Gbit/s'],
      [1.25e12, '10 Tbit/s'],
    ];
    expect(cases.map(([n]) => formatBitRate(n))).toEqual(cases.map(([, s]) => s));
  });

  it('a negative rate (a counter reset) shows as idle; NaN as a dash', () => {
    expect(formatBitRate(-500)).toBe('0 bit/s');
    expect(formatBitRate(Number.NaN)).toBe('—');
  });
});

describe('formatCount and formatPacketRate', () => {
  it('k and M above a thousand', () => {
    const cases: Array<[number, string]> = [
      [0, '0'],
      [2.4, '2'],
      [999, '999'],
      [999.5, '1k'],
      [1000, '1k'],
      [1500, '1.5k'],
      [12_345, '12.3k'],
      [123_456, '123k'],
      [1_500_000, '1.5M'],
      [-3, '0'],
    ];
    expect(cases.map(([n]) => formatCount(n))).toEqual(cases.map(([, s]) => s));
  });

  it('pkt/s after the count', () => {
    expect(formatPacketRate(0)).toBe('0 pkt/s');
    expect(formatPacketRate(3.4)).toBe('3 pkt/s');
    expect(formatPacketRate(999)).toBe('999 pkt/s');
    expect(formatPacketRate(1500)).toBe('1.5k pkt/s');
    expect(formatPacketRate(2_000_000)).toBe('2M pkt/s');
    expect(formatPacketRate(Infinity)).toBe('—');
  });
});

describe('formatDuration: as a person says it', () => {
  it('seconds, minutes, hours, days; trailing zero parts left out', () => {
    const cases: Array<[number, string]> = [
      [0, '0 s'],
      [-5, '0 s'],
      [0.4, '0 s'],
      [4, '4 s'],
      [59.4, '59 s'],
      [59.6, '1 min'],
      [60, '1 min'],
      [125, '2 min 5 s'],
      [3599, '59 min 59 s'],
      [3600, '1 h'],
      [3780, '1 h 3 min'],
      [3779, '1 h 2 min'], // seconds are not shown above an hour, and not rounded up
      [86_399, '23 h 59 min'],
      [86_400, '1 d'],
      [2 * 86_400 + 5 * 3600 + 7, '2 d 5 h'],
      [86_400 + 59, '1 d'],
    ];
    expect(cases.map(([n]) => formatDuration(n))).toEqual(cases.map(([, s]) => s));
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

// The CLI speaks the same units as the UI: `top` showed MiB/s where the map showed Mbit/s.
describe('the CLI uses the same formatter', () => {
  const sample: RatesSample = {
    time: 1_700_000_000,
    intervalSec: 1,
    interfaces: [],
    containers: [
      { id: 'a1', name: 'web', rxBytesPerSec: 150_000, txBytesPerSec: 1000, rxPacketsPerSec: 1000, txPacketsPerSec: 500 },
      { id: 'b2', name: 'db', rxBytesPerSec: 0, txBytesPerSec: 1, rxPacketsPerSec: 0, txPacketsPerSec: 0.4 },
    ],
  };

  it('top: rates in bit/s, packets in pkt/s, busiest first, columns aligned', () => {
    const lines = renderTable(sample).split('\n');
    expect(lines[0]).toBe('vethscope top - 2023-11-14 22:13:20 - every 1s - 2 containers');
    expect(lines.slice(1)).toEqual([
      'NAME           RX           TX     PKTS/s',
      'web    1.2 Mbit/s     8 kbit/s       1.5k',
      'db        0 bit/s      8 bit/s          0',
    ]);
  });

  it('top --json is unchanged: raw numbers, not formatted text', () => {
    expect(JSON.parse(jsonLine(sample))).toEqual({
      time: 1_700_000_000,
      containers: [
        { name: 'web', id: 'a1', rxBytesPerSec: 150_000, txBytesPerSec: 1000, rxPacketsPerSec: 1000, txPacketsPerSec: 500 },
        { name: 'db', id: 'b2', rxBytesPerSec: 0, txBytesPerSec: 1, rxPacketsPerSec: 0, txPacketsPerSec: 0.4 },
      ],
    });
  });

  it('capture counters: size in B, rates in pkt/s and bit/s', () => {
    const info = { state: 'running', packets: 1234, bytes: 1_500_000, dropped: 2, packetsPerSec: 1500, bytesPerSec: 150_000, gaps: [] } as unknown as CaptureInfo;
    expect(counterLine(info)).toBe('running: 1234 packets, 1.5 MB, 2 dropped, 1.5k pkt/s, 1.2 Mbit/s');
    const gap = { label: 'web', from: '2023-11-14T22:13:20Z', to: null };
    expect(counterLine({ ...info, bytes: 999, packetsPerSec: 0, bytesPerSec: 0, gaps: [gap] })).toBe('running: 1234 packets, 999 B, 2 dropped, 0 pkt/s, 0 bit/s, 1 gap(s)');
  });
});
