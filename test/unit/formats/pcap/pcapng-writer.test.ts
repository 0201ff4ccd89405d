// Files written with our encoders must read back in real tshark/capinfos
// exactly as intended: names, descriptions, comments, counts, timestamps.
import { execFileSync } from 'node:child_process';
import { writeFileSync, appendFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  enhancedPacketBlock,
  enhancedPacketBlockParts,
  interfaceDescriptionBlock,
  interfaceStatisticsBlock,
  pcapGlobalHeader,
  pcapRecordHeader,
  sectionHeaderBlock,
  epbLength,
  splitTs,
  writeEpbInto,
} from '../../../../electron/formats/pcap/pcapng-writer';
import { readCaptureFile } from '../../../support/capture-file-reader';
import { tempDir } from '../../../support/env';
import { capinfos, hasTshark, NO_TSHARK, tsharkFields, tsharkRun } from '../../../support/tshark';

const tmp = tempDir('vsp-pcapng-');
afterAll(() => tmp.remove());

/** A minimal Ethernet/IPv4/UDP frame whose payload length varies, so odd lengths exercise padding. */
function udpFrame(payloadLen: number, srcLast: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + payloadLen);
  Buffer.from('02000000000202000000000108004500', 'hex').copy(f, 0);
  f.writeUInt16BE(20 + 8 + payloadLen, 16);
  f[22] = 64;
  f[23] = 17;
  Buffer.from([10, 250, 0, srcLast, 10, 250, 0, 2]).copy(f, 26);
  f.writeUInt16BE(40000 + srcLast, 34);
  f.writeUInt16BE(47001, 36);
  f.writeUInt16BE(8 + payloadLen, 38);
  f.fill(0x61, 42);
  return f;
}

const IFACES = [
  { name: 'web-1/eth0 (veth1a2b3c)', description: 'container web-1 (3f2a9c1d), netns 4026532601', comment: 'eth0 of web-1', tsresol: 6 },
  { name: 'db/eth0 (veth9f8e7d)', description: 'container db (77aa01bc)', tsresol: 9 },
];
const SECTION_COMMENT = 'vethscope capture: web-1, db — filter "udp"';

/** Two interfaces, interleaved packets in time order, odd lengths, a packet comment and stats. */
function buildFile(): { buf: Buffer; times: string[]; lengths: number[] } {
  const parts: Buffer[] = [
    sectionHeaderBlock({ comment: SECTION_COMMENT, hardware: 'x86_64', os: 'Linux', userAppl: 'vethscope 0.1.0' }),
    interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, ...IFACES[0]!, filter: 'udp' }),
    interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, ...IFACES[1]! }),
  ];
  const times: string[] = [];
  const lengths: number[] = [];
  const base = 1_764_000_000n;
  for (let i = 0; i < 20; i++) {
    const iface = i % 2;
    const frame = udpFrame(i * 7 + 1, iface + 1);
    // Interface 0 counts microseconds, interface 1 nanoseconds: the same instant in each unit.
    const ns = base * 1_000_000_000n + BigInt(i) * 1_500_000n + (iface ? 123n : 0n);
    const ts = iface ? ns : ns / 1000n;
    times.push(`${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`);
    lengths.push(frame.length);
    // Cut one packet by a pretend snaplen to check capLen/origLen survive.
    const capLen = i === 5 ? 50 : frame.length;
    if (i === 5) lengths[i] = 50;
    parts.push(...enhancedPacketBlockParts({ interfaceId: iface, timestamp: ts, capLen, origLen: frame.length, data: frame, comment: i === 3 ? 'the third one' : undefined }));
  }
  parts.push(interfaceStatisticsBlock({ interfaceId: 0, timestamp: (base + 1n) * 1_000_000n, received: 10n, dropped: 1n, comment: 'tcpdump: 10 received, 1 dropped' }));
  return { buf: Buffer.concat(parts), times, lengths };
}

describe('pcapng writer (block layout)', () => {
  it('pads every block to 32 bits and repeats the total length at the end', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 63]) {
      const data = Buffer.alloc(len, 0xab);
      for (const comment of [undefined, 'x', 'abcd', 'häll']) {
        const b = enhancedPacketBlock({ interfaceId: 3, timestamp: 0x1_0000_0002n, capLen: len, origLen: len + 10, data, comment });
        expect(b.length % 4).toBe(0);
        expect(b.readUInt32LE(4)).toBe(b.length);
        expect(b.readUInt32LE(b.length - 4)).toBe(b.length);
        expect(b.readUInt32LE(12)).toBe(1); // timestamp high word
        expect(b.readUInt32LE(16)).toBe(2);
      }
    }
    const idb = interfaceDescriptionBlock({ linkType: 1, snaplen: 65535, name: 'abc' });
    expect(idb.length % 4).toBe(0);
    expect(idb.readUInt32LE(idb.length - 4)).toBe(idb.length);
  });

  it('parts reference the caller data without copying', () => {
    const data = Buffer.alloc(1000, 1);
    const parts = enhancedPacketBlockParts({ interfaceId: 0, timestamp: 1n, capLen: 1000, origLen: 1000, data });
    expect(parts[1]).toBe(data);
    expect(Buffer.concat(parts)).toEqual(enhancedPacketBlock({ interfaceId: 0, timestamp: 1n, capLen: 1000, origLen: 1000, data }));
    expect(() => enhancedPacketBlockParts({ interfaceId: 0, timestamp: 1n, capLen: 1001, origLen: 1001, data })).toThrow(RangeError);
  });
});

describe.skipIf(!hasTshark)(`pcapng writer judged by tshark${hasTshark ? '' : ` (skipped: ${NO_TSHARK})`}`, () => {
  const file = tmp.path('two-ifaces.pcapng');
  const built = buildFile();
  writeFileSync(file, built.buf);

  it('tshark reads interface names, descriptions, comments, lengths and exact timestamps', () => {
    const rows = tsharkFields(file, ['frame.interface_name', 'frame.interface_description', 'frame.comment', 'frame.time_epoch', 'frame.cap_len', 'frame.len', '_ws.col.Protocol']);
    expect(rows).toHaveLength(20);
    rows.forEach((r, i) => {
      const iface = IFACES[i % 2]!;
      expect(r[0]).toBe(iface.name);
      expect(r[1]).toBe(iface.description);
      expect(r[2]).toBe(i === 3 ? 'the third one' : '');
      // The microsecond interface loses the sub-microsecond part, nothing else.
      const want = built.times[i]!;
      expect(r[3]).toBe(iface.tsresol === 6 ? want.slice(0, -3) + '000' : want);
      expect(Number(r[4])).toBe(built.lengths[i]);
      expect(r[6]).toBe('UDP');
    });
    expect(rows.map((r) => r[5]).slice(4, 7)).toEqual(['71', '78', '85']); // origLen: 14+20+8+(i*7+1)
  });

  it('capinfos sees the section comment, application, interfaces, counts and time order', () => {
    const info = capinfos(file);
    expect(info.get('File type')).toBe('pcapng');
    expect(info.get('Number of packets')).toBe('20');
    expect(info.get('Capture comment')).toBe(SECTION_COMMENT);
    expect(info.get('Capture application')).toBe('vethscope 0.1.0');
    expect(info.get('Capture oper-sys')).toBe('Linux');
    expect(info.get('Capture hardware')).toBe('x86_64');
    expect(info.get('Strict time order')).toBe('True');
    expect(info.get('Number of interfaces in file')).toBe('2');
    const text = tsharkRun(['-r', file, '-q', '-z', 'io,stat,0']).stdout;
    expect(text).toMatch(/\|\s+20\s+\|/);
  });

  it('tshark reads the interface statistics and filter', () => {
    const r = tsharkRun(['-r', file, '-q', '-z', 'io,stat,0']);
    expect(r.status).toBe(0);
    const info = capinfos(file);
    expect([...info.keys()].some((k) => k.startsWith('Interface #0'))).toBe(true);
    const full = execFileSync('capinfos', [file], { encoding: 'utf8' });
    expect(full).toMatch(/Filter string = udp/);
    expect(full).toMatch(/Number of stat entries = 1/);
  });

  it('our reader returns what we wrote', async () => {
    const f = await readCaptureFile(file);
    expect(f.format).toBe('pcapng');
    expect(f.truncatedTail).toBe(false);
    expect(f.sectionComment).toBe(SECTION_COMMENT);
    expect(f.interfaces.map((i) => [i.name, i.description, i.linkType])).toEqual(IFACES.map((i) => [i.name, i.description, 1]));
    expect(f.interfaces[0]!.comment).toBe('eth0 of web-1');
    expect(f.packets).toHaveLength(20);
    expect(f.packets.map((p) => p.tsresol)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 ? 9 : 6)));
    expect(f.packets[5]!.capLen).toBe(50);
    expect(f.packets[5]!.data.length).toBe(50);
    expect(f.packets[4]!.data).toEqual(udpFrame(29, 1));
  });

  it('a half-written last block: tshark and our reader keep every complete packet', async () => {
    const cut = tmp.path('cut.pcapng');
    // Drop the ISB and half of the last EPB.
    const isbLen = interfaceStatisticsBlock({ interfaceId: 0, timestamp: (1_764_000_001n) * 1_000_000n, received: 10n, dropped: 1n, comment: 'tcpdump: 10 received, 1 dropped' }).length;
    writeFileSync(cut, built.buf.subarray(0, built.buf.length - isbLen - 30));
    const f = await readCaptureFile(cut);
    expect(f.truncatedTail).toBe(true);
    expect(f.packets).toHaveLength(19);
    const r = tsharkRun(['-n', '-r', cut, '-T', 'fields', '-e', 'frame.number']);
    expect(r.stdout.trim().split('\n')).toHaveLength(19);
    expect(r.stderr).toMatch(/cut short|truncated/i);
    // Appending the rest makes it whole again (a file still being written).
    appendFileSync(cut, built.buf.subarray(built.buf.length - isbLen - 30));
    expect((await readCaptureFile(cut)).packets).toHaveLength(20);
  });

  it('classic pcap headers (usec and nsec) read back in tshark and our reader', async () => {
    for (const nanos of [false, true]) {
      const file2 = tmp.path(`classic-${nanos}.pcap`);
      const parts = [pcapGlobalHeader(1, 65535, nanos)];
      for (let i = 0; i < 5; i++) {
        const frame = udpFrame(i + 10, 1);
        parts.push(pcapRecordHeader({ tsSec: 1_764_000_000 + i, tsFrac: nanos ? 123_456_789 : 123_456, capLen: frame.length, origLen: frame.length }), frame);
      }
      writeFileSync(file2, Buffer.concat(parts));
      const rows = tsharkFields(file2, ['frame.time_epoch', 'frame.len', '_ws.col.Protocol']);
      expect(rows.map((r) => r[0])).toEqual([0, 1, 2, 3, 4].map((i) => `${1_764_000_000 + i}.${nanos ? '123456789' : '123456000'}`));
      const info = capinfos(file2);
      expect(info.get('File type')).toMatch(/pcap$/);
      expect(info.get('File timestamp precision')).toMatch(nanos ? /^nanoseconds/ : /^microseconds/);
      expect(info.get('Number of packets')).toBe('5');
      const f = await readCaptureFile(file2);
      expect(f.format).toBe('pcap');
      expect(f.packets.map((p) => p.timestamp)).toEqual([0, 1, 2, 3, 4].map((i) => BigInt(1_764_000_000 + i) * (nanos ? 1_000_000_000n : 1_000_000n) + (nanos ? 123_456_789n : 123_456n)));
      expect(f.packets[0]!.tsresol).toBe(nanos ? 9 : 6);
    }
  });
});

describe('allocation-free EPB encoder (capture hot path)', () => {
  it('splits timestamps exactly like BigInt arithmetic', () => {
    const cases: Array<[number, number, number]> = [
      [0, 0, 1e6],
      [1, 999_999, 1e6],
      [1_700_000_000, 123_456, 1e6],
      [1_700_000_000, 999_999_999, 1e9],
      [0xffffffff, 999_999_999, 1e9],
      [0xffffffff, 999_999, 1e6],
      [65535, 1, 1e9],
      [65536, 0, 1e9],
    ];
    for (const [sec, frac, unit] of cases) {
      const t = BigInt(sec) * BigInt(unit) + BigInt(frac);
      expect(splitTs(sec, frac, unit)).toEqual([Number(t >> 32n), Number(t & 0xffffffffn)]);
    }
  });

  it('writes the same bytes as enhancedPacketBlock', () => {
    for (const len of [0, 1, 3, 4, 5, 60, 1514, 65535]) {
      const data = Buffer.alloc(len + 7, 0xab).subarray(0, len);
      const ts = 1_700_000_000n * 1_000_000_000n + 987_654_321n;
      const ref = enhancedPacketBlock({ interfaceId: 3, timestamp: ts, capLen: len, origLen: len + 10, data });
      const buf = Buffer.alloc(epbLength(len) + 8, 0xff);
      const [hi, lo] = splitTs(1_700_000_000, 987_654_321, 1e9);
      expect(writeEpbInto(buf, 4, 3, hi, lo, len, len + 10, data)).toBe(4 + ref.length);
      expect(buf.subarray(4, 4 + ref.length).equals(ref)).toBe(true);
    }
  });
});
