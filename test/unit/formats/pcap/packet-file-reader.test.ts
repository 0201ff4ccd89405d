// The saved Packets view reads the file itself (issue 14: it showed the last 200 of 1500
// packets, timed from 0.000000, without saying so): the first N packets as tshark numbers
// and times them, the interface each came in on, never more of the file than their heads.
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, writeSync, ftruncateSync, writeFileSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readPacketFile } from '../../../../electron/formats/pcap/packet-file-reader';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../../electron/formats/pcap/pcapng-writer';
import { tempDir } from '../../../support/env';
import { eth, icmpEcho, ipv4 } from '../decode/packets';

const tmp = tempDir('vsu-pfr-');
afterAll(() => tmp.remove());

const ping = (k: number) => eth(0x0800, ipv4(`10.0.0.${(k % 2) + 1}`, `10.0.0.${2 - (k % 2)}`, 1, icmpEcho(k % 2 === 0, 7, k)));
const T0 = 1_764_579_600n * 1_000_000n; // 2025-12-01 09:00:00 UTC in µs

/** `n` pings, alternating between two named interfaces, 1.7 ms apart. */
function pcapng(path: string, n: number, more: { tsresol?: number } = {}): void {
  const scale = more.tsresol === 9 ? 1000n : 1n;
  const blocks = [sectionHeaderBlock({ comment: 'test' }), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'nb_web_1/eth0 (vetha1)', tsresol: more.tsresol }), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'nb_client_1/eth0 (vethb2)', tsresol: more.tsresol })];
  for (let k = 0; k < n; k++) {
    const data = ping(k);
    blocks.push(enhancedPacketBlock({ interfaceId: k % 2, timestamp: (T0 + BigInt(k) * 1700n) * scale, capLen: data.length, origLen: data.length, data }));
  }
  writeFileSync(path, Buffer.concat(blocks));
}

/** Classic pcap (µs or ns) of `n` pings. */
function pcap(path: string, n: number, nanos = false): void {
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(nanos ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(262144, 16);
  gh.writeUInt32LE(1, 20);
  const parts: Buffer[] = [gh];
  for (let k = 0; k < n; k++) {
    const data = ping(k);
    const rh = Buffer.alloc(16);
    const us = T0 + BigInt(k) * 1700n;
    rh.writeUInt32LE(Number(us / 1_000_000n), 0);
    rh.writeUInt32LE(Number(us % 1_000_000n) * (nanos ? 1000 : 1), 4);
    rh.writeUInt32LE(data.length, 8);
    rh.writeUInt32LE(data.length, 12);
    parts.push(rh, data);
  }
  writeFileSync(path, Buffer.concat(parts));
}

const tsharkTimes = (path: string, count: number) =>
  execFileSync('tshark', ['-n', '-r', path, '-c', String(count), '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.interface_name'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));

describe('readPacketFile', () => {
  it('pcapng: the first N of 1500 packets, timed and named as tshark has them', async () => {
    const f = tmp.path('a.pcapng');
    pcapng(f, 1500);
    const r = await readPacketFile(f, { limit: 1000 });
    expect(r).toMatchObject({ format: 'pcapng', more: true, interfaces: [{ name: 'nb_web_1/eth0 (vetha1)', linkType: 1 }, { name: 'nb_client_1/eth0 (vethb2)', linkType: 1 }] });
    expect(r.packets).toHaveLength(1000);
    const ts = tsharkTimes(f, 1000);
    r.packets.forEach((p, k) => {
      expect(p.tsSec + p.tsUsec / 1e6).toBeCloseTo(Number(ts[k]![0]), 6);
      expect(r.interfaces[p.iface]!.name).toBe(ts[k]![1]);
    });
    // Packet 1001 is 1.7 s after packet 1, whatever window a list shows.
    const all = await readPacketFile(f, { limit: 5000 });
    expect(all.more).toBe(false);
    expect(all.packets).toHaveLength(1500);
    expect(all.packets[1000]!.tsSec + all.packets[1000]!.tsUsec / 1e6 - (all.packets[0]!.tsSec + all.packets[0]!.tsUsec / 1e6)).toBeCloseTo(1.7, 6);
  });

  it('pcapng with nanosecond timestamps, and classic pcap in µs and ns', async () => {
    const f = tmp.path('ns.pcapng');
    pcapng(f, 10, { tsresol: 9 });
    const a = await readPacketFile(f, { limit: 10 });
    expect(a.packets.map((p) => p.tsUsec)).toEqual(tsharkTimes(f, 10).map(([t]) => Math.round((Number(t) % 1) * 1e6)));
    for (const nanos of [false, true]) {
      const g = tmp.path(`c${nanos}.pcap`);
      pcap(g, 30, nanos);
      const b = await readPacketFile(g, { limit: 20 });
      expect(b).toMatchObject({ format: 'pcap', more: true, interfaces: [{ name: null, linkType: 1 }] });
      expect(b.packets.map((p) => p.tsSec + p.tsUsec / 1e6)).toEqual(tsharkTimes(g, 20).map(([t]) => expect.closeTo(Number(t), 6)));
    }
  });

  it('a file cut in the middle of a block yields the packets before the cut', async () => {
    const f = tmp.path('cut.pcapng');
    pcapng(f, 10);
    const whole = readFileSync(f);
    writeFileSync(f, whole.subarray(0, whole.length - 20));
    const r = await readPacketFile(f, { limit: 100 });
    expect(r.packets).toHaveLength(9);
    expect(r.more).toBe(false);
  });

  it('reads only the heads: a 2 GB packet body is skipped, not read', async () => {
    const f = tmp.path('huge.pcapng');
    const head = Buffer.concat([sectionHeaderBlock(), interfaceDescriptionBlock({ linkType: 1, snaplen: 0, name: 'big' })]);
    const cap = 2 ** 31 - 64;
    const epb = Buffer.alloc(28);
    epb.writeUInt32LE(6, 0);
    epb.writeUInt32LE(28 + cap + 4, 4);
    epb.writeUInt32LE(cap, 20);
    epb.writeUInt32LE(cap, 24);
    const fd = openSync(f, 'w');
    writeSync(fd, head);
    writeSync(fd, epb);
    const data = ping(0);
    writeSync(fd, data);
    // The rest of the body is a hole: a sparse file, nothing on disk.
    ftruncateSync(fd, head.length + 28 + cap);
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(28 + cap + 4, 0);
    writeSync(fd, trailer, 0, 4, head.length + 28 + cap);
    closeSync(fd);
    const rss = process.memoryUsage().rss;
    const r = await readPacketFile(f, { limit: 10, headBytes: 256 });
    expect(r.packets).toHaveLength(1);
    expect(r.packets[0]).toMatchObject({ capLen: cap, origLen: cap });
    expect(r.packets[0]!.head.length).toBe(256);
    expect(r.packets[0]!.head.subarray(0, data.length)).toEqual(data);
    expect(process.memoryUsage().rss - rss).toBeLessThan(64 * 1024 * 1024);
  });
});
