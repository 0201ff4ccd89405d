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

function walkAll(path: string): { packets: TailedPacket[]; read: number; size: number } {
  const fd = openSync(path, 'r');
  const packets: TailedPacket[] = [];
  const tail = new PcapngTail(fd, (p) => packets.push({ ...p, head: Buffer.from(p.head) }));
  const before = bytesRead();
  while (tail.walk(1 << 30) > 0);
  const read = bytesRead() - before;
  closeSync(fd);
  return { packets, read, size: tail.boundary };
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

  it('small packets and a mix of sizes are all walked, each head right', () => {
    const sizes = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 60_000 : 60 + (i % 50)));
    const { packets } = walkAll(file('mixed.pcapng', sizes));
    expect(packets.map((p) => p.capLen)).toEqual(sizes);
    for (const i of [0, 1, 2, 3, 1000, 1999]) expect(packets[i]!.head).toEqual(Buffer.alloc(Math.min(256, sizes[i]!), i & 0xff));
  });
});
