// The end of a dumpcap capture nobody watched (the CLI): dumpcap's file, closed whole with its
// statistics block, is the capture as it stands; reading every block header back (a quarter of a
// second of CPU for 1 GB) is left out. Watched, cut short, or not closed whole: walked as before.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TcpdumpCounters } from '../../../shared/helper-protocol';
import { DumpcapWriter } from '../../../electron/backend/capture/writer/dumpcap-writer';
import { enhancedPacketBlock, interfaceDescriptionBlock, interfaceStatisticsBlock, sectionHeaderBlock } from '../../../electron/formats/pcap/pcapng-writer';

const dir = mkdtempSync(join(tmpdir(), 'vs-dcend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const rchar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
const hooks = { onLimit: () => undefined, onFailure: () => undefined };
// Sizes whose padding differs (0-3 bytes): 2000 packets, 60 to 30,003 bytes.
const SIZES = Array.from({ length: 2000 }, (_, i) => (i % 4 === 0 ? 30_000 + (i % 4) : 60 + (i % 7)));
const WIRE = SIZES.reduce((n, s) => n + s, 0);

/** What dumpcap leaves: section, interface, packets, and (closed whole) its statistics block. */
function dumpcapFile(path: string, closed: boolean, cut = 0): void {
  writeFileSync(path, Buffer.concat([sectionHeaderBlock({}), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'web/eth0', tsresol: 6 })]));
  for (let i = 0; i < SIZES.length; i += 100)
    appendFileSync(path, Buffer.concat(SIZES.slice(i, i + 100).map((n, k) => enhancedPacketBlock({ interfaceId: 0, timestamp: BigInt(1_700_000_000_000_000 + i + k), data: Buffer.alloc(n, 1), capLen: n, origLen: n }))));
  if (closed) appendFileSync(path, interfaceStatisticsBlock({ interfaceId: 0, timestamp: 1_700_000_000_100_000n, received: 2000n, dropped: 0n }));
  if (cut) appendFileSync(path, enhancedPacketBlock({ interfaceId: 0, timestamp: 1n, data: Buffer.alloc(cut), capLen: cut, origLen: cut }).subarray(0, cut));
}

async function capture(name: string, o: { watched: boolean; closed: boolean; ended?: TcpdumpCounters['ended']; cut?: number; endedFirst?: boolean }) {
  const path = join(dir, `${name}.pcapng`);
  const w = new DumpcapWriter({ path, sectionComment: 'test', stop: {} }, hooks);
  w.open();
  const pending = await w.prepareInterface({ label: 'web/eth0', comment: '' });
  dumpcapFile(pending.output, o.closed, o.cut);
  w.confirm(pending, 0);
  w.watch(o.watched);
  // As a capture begins: dumpcap has written its interface block, nothing is walked yet.
  await w.begin();
  const before = rchar();
  const last: TcpdumpCounters = { index: 0, captured: SIZES.length, receivedByFilter: SIZES.length, droppedByKernel: 0, ended: o.ended ?? 'stopped', message: null };
  // A terminal's Ctrl-C reaches dumpcap as well: it ends first, the stop then finds nothing left to stop.
  if (o.endedFirst) w.onCounters(last);
  const end = await w.finish(o.endedFirst ? null : [last]);
  return { end, read: rchar() - before, size: statSync(path).size };
}

describe('DumpcapWriter: the end of a capture', () => {
  it('nobody watching, closed whole: dumpcap\'s count, the packets\' bytes, and almost nothing read back', async () => {
    const { end, read, size } = await capture('unwatched', { watched: false, closed: true });
    expect(end.packets).toBe(2000);
    // The file's packet bytes: each packet's own plus its 0-3 bytes of padding.
    expect(end.bytes).toBeGreaterThanOrEqual(WIRE);
    expect(end.bytes).toBeLessThanOrEqual(WIRE + 3 * 2000);
    expect(read).toBeLessThan(size / 100);
    expect(end.error).toBeNull();
  });

  it('the same when dumpcap ended before the stop (its last counters came with its end)', async () => {
    const { end, read, size } = await capture('ended-first', { watched: false, closed: true, endedFirst: true });
    expect(end.packets).toBe(2000);
    expect(read).toBeLessThan(size / 100);
  });

  it('watched: every block header is walked and the bytes are exact', async () => {
    const { end, read } = await capture('watched', { watched: true, closed: true });
    expect(end).toMatchObject({ packets: 2000, bytes: WIRE });
    expect(read).toBeGreaterThan(2000 * 28);
  });

  it('not closed whole (dumpcap killed, a block cut short): walked, cut back to whole blocks', async () => {
    for (const c of [{ closed: false, cut: 0 }, { closed: true, cut: 700 }, { closed: true, cut: 0, ended: 'error' as const }]) {
      const { end, size } = await capture(`cut-${c.cut}-${c.closed}-${c.ended}`, { watched: false, ...c });
      expect(end).toMatchObject({ packets: 2000, bytes: WIRE });
      if (c.cut) expect(size % 4).toBe(0);
    }
  });
});
