// Following dumpcap's file: packets counted and heads sampled without reading the file back.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../electron/formats/pcap/pcapng-writer';
import { PcapngTail, type TailedPacket } from '../../../electron/backend/capture/writer/pcapng-tail';

const dir = mkdtempSync(join(tmpdir(), 'vs-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes this process has read through read(2) so far (page cache included). */
const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

function file(name: string, sizes: number[]): string {
  const blocks = [sectionHeaderBlock({}), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'web/eth0', tsresol: 6 })];
  sizes.forEach((n, i) => blocks.push(enhancedPacketBlock({ interfaceId: 0, timestamp: BigInt(1_700_000_000_000_000 + i), data: Buffer.alloc(n, i & 0xff), capLen: n, origLen: n })));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(blocks));
  return path;
}

function walkAll(path: string, sampleLast?: number, budget = 1 << 30): { packets: TailedPacket[]; read: number; size: number; counted: number; walks: number } {
  const fd = openSync(path, 'r');
  const packets: TailedPacket[] = [];
  const tail = new PcapngTail(fd, (p) => packets.push({ ...p, head: Buffer.from(p.head) }), sampleLast);
  const before = bytesRead();
  let walks = 0;
  while (tail.walk(budget) > 0) walks++;
  const read = bytesRead() - before;
  closeSync(fd);
  return { packets, read, size: tail.boundary, counted: tail.packets, walks };
}

describe('PcapngTail', () => {
  it('reads only headers and sampled heads of large packets (64 KiB TSO packets at 1 Gbit/s)', () => {
    const { packets, read, size } = walkAll(file('large.pcapng', Array.from({ length: 300 }, () => 65_000)));
    expect(packets).toHaveLength(300);
    expect(packets[7]!.head).toEqual(Buffer.alloc(256, 7));
    expect(packets[7]!.capLen).toBe(65_000);
    // Read back: a header window per packet, not the 19.5 MB written.
    expect(read).toBeLessThan(size * 0.1);
  });

  it('with sampleLast, hands on the file\'s first packet and each walk\'s last N, oldest first, counting every one', () => {
    const sizes = Array.from({ length: 3000 }, (_, i) => (i % 5 === 0 ? 40_000 : 100 + (i % 7)));
    const all = walkAll(file('sampled.pcapng', sizes));
    // A budget that ends each walk after a few hundred packets: several walks, each sampled.
    const some = walkAll(file('sampled.pcapng', sizes), 50, 200_000);
    expect(some.walks).toBeGreaterThan(3);
    expect(some.counted).toBe(3000);
    expect(some.size).toBe(all.size);
    const tsOf = (p: TailedPacket) => p.tsLo;
    const first = all.packets[0]!;
    expect(some.packets[0]).toEqual(first);
    // Every handed-on packet is the one at its place in the file, heads included, and in file order.
    const byTs = new Map(all.packets.map((p) => [tsOf(p), p]));
    for (const p of some.packets) expect(p).toEqual(byTs.get(tsOf(p)));
    const order = some.packets.map(tsOf);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // At most 50 per walk (plus the first), and the file's last packet is among them.
    expect(some.packets.length).toBeLessThanOrEqual(1 + 50 * some.walks);
    expect(some.packets.length).toBeGreaterThan(50);
    expect(some.packets.at(-1)).toEqual(all.packets.at(-1));
  });

  it('small packets and a mix of sizes are all walked, each head right', () => {
    const sizes = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 60_000 : 60 + (i % 50)));
    const { packets } = walkAll(file('mixed.pcapng', sizes));
    expect(packets.map((p) => p.capLen)).toEqual(sizes);
    for (const i of [0, 1, 2, 3, 1000, 1999]) expect(packets[i]!.head).toEqual(Buffer.alloc(Math.min(256, sizes[i]!), i & 0xff));
  });
});
