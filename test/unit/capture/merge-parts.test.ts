// Parts (one pcapng per interface, as dumpcap writes them) merged into one time-ordered
// file: tshark is the judge of order, interface names and statistics; limits cut exactly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../electron/formats/pcap/pcapng-writer';
import { mergeParts } from '../../../electron/backend/capture/writer/merge-parts';
import { PcapngTail } from '../../../electron/backend/capture/writer/pcapng-tail';
import { hasTshark, NO_TSHARK, tsharkFields } from '../../support/tshark';
import { openSync, closeSync } from 'node:fs';

const dir = mkdtempSync(join(tmpdir(), 'vsm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A part as dumpcap writes one: SHB, one IDB (name, ns resolution), packets at the given µs times. */
function part(name: string, label: string, times: number[], nanos = true): string {
  const frame = Buffer.alloc(60, 0xab);
  const blocks = [sectionHeaderBlock({ comment: 'dumpcap' }), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: label, tsresol: nanos ? 9 : 6 })];
  for (const us of times) blocks.push(enhancedPacketBlock({ interfaceId: 0, timestamp: BigInt(us) * (nanos ? 1000n : 1n), capLen: 60, origLen: 60, data: frame }));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(blocks));
  return path;
}

const endOf = (path: string) => {
  const fd = openSync(path, 'r');
  const t = new PcapngTail(fd);
  t.walk(Infinity);
  closeSync(fd);
  return { boundary: t.boundary, packets: t.packets };
};

describe.skipIf(!hasTshark)(`mergeParts (${hasTshark ? 'tshark' : NO_TSHARK})`, () => {
  it('interleaves parts by time, keeps each interface its name, rewrites ids, adds statistics', async () => {
    const a = part('a.pcapng', 'web/eth0 (vethA)', [1_000_000, 1_000_300, 2_000_000]);
    const b = part('b.pcapng', 'db/eth0 (vethB)', [1_000_100, 1_500_000], false);
    const out = join(dir, 'out.pcapng');
    const r = await mergeParts([a, b].map((p) => ({ path: p, end: endOf(p).boundary, received: 9, dropped: 1 })), out, 'targets: web, db');
    expect(r).toEqual({ packets: 5, bytes: 300, limited: null });
    const rows = tsharkFields(out, ['frame.time_epoch', 'frame.interface_id', 'frame.interface_name']);
    expect(rows.map((x) => [Number(x[0]).toFixed(4), x[1], x[2]])).toEqual([
      ['1.0000', '0', 'web/eth0 (vethA)'],
      ['1.0001', '1', 'db/eth0 (vethB)'],
      ['1.0003', '0', 'web/eth0 (vethA)'],
      ['1.5000', '1', 'db/eth0 (vethB)'],
      ['2.0000', '0', 'web/eth0 (vethA)'],
    ]);
    expect(endOf(out).packets).toBe(5);
  });

  it('stops after N packets or once the size is reached, never beyond a part\'s whole blocks', async () => {
    const a = part('c.pcapng', 'a', [1, 3, 5, 7]);
    const b = part('d.pcapng', 'b', [2, 4, 6, 8]);
    const out = join(dir, 'out2.pcapng');
    const parts = [a, b].map((p) => ({ path: p, end: endOf(p).boundary, received: 4, dropped: 0 }));
    expect((await mergeParts(parts, out, '', { packetCount: 3 })).packets).toBe(3);
    expect(tsharkFields(out, ['frame.number'])).toHaveLength(3);
    rmSync(out);
    // A part whose end is cut mid-file (a full disk): only its whole blocks count.
    const cut = { ...parts[1]!, end: parts[1]!.end - 10 };
    expect((await mergeParts([parts[0]!, cut], out, '')).packets).toBe(4 + 3);
    rmSync(out);
    const sized = await mergeParts(parts, out, '', { maxBytes: 300 });
    expect(sized.limited).toBe('size');
    expect(tsharkFields(out, ['frame.number']).length).toBe(sized.packets);
  });

  it('writes only a new file: an existing output (a part itself, a planted file) is refused untouched', async () => {
    const a = part('e.pcapng', 'a', [1, 3]);
    const b = part('f.pcapng', 'b', [2]);
    const parts = [a, b].map((p) => ({ path: p, end: endOf(p).boundary, received: 2, dropped: 0 }));
    await expect(mergeParts(parts, a, '')).rejects.toMatchObject({ code: expect.any(String) });
    expect(endOf(a).packets).toBe(2);
  });
});
