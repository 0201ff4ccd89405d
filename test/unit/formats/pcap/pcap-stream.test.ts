// PcapStreamParser against streams cut at every possible place, both byte
// orders and both timestamp precisions (throughput: npm run bench:formats).
import { describe, expect, it } from 'vitest';
import { PcapFormatError, PcapStreamParser, type PcapRecord } from '../../../../electron/formats/pcap/pcap-stream';
import { pcapGlobalHeader, pcapRecordHeader } from '../../../../electron/formats/pcap/pcapng-writer';
import { chunkedStream } from './chunked-stream';

interface Rec {
  tsSec: number;
  tsFrac: number;
  origLen: number;
  data: Buffer;
}

/** A pcap stream written independently of the parser, in either byte order. */
function stream(recs: Rec[], opts: { le: boolean; nanos: boolean; linkType?: number; snaplen?: number }): Buffer {
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    if (opts.le) b.writeUInt32LE(v);
    else b.writeUInt32BE(v);
    return b;
  };
  const u16 = (v: number) => {
    const b = Buffer.alloc(2);
    if (opts.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  };
  const parts: Buffer[] = [u32(opts.nanos ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(opts.snaplen ?? 262144), u32(opts.linkType ?? 1)];
  for (const r of recs) parts.push(u32(r.tsSec), u32(r.tsFrac), u32(r.data.length), u32(r.origLen), r.data);
  return Buffer.concat(parts);
}

function sampleRecords(n: number): Rec[] {
  return Array.from({ length: n }, (_, i) => ({
    tsSec: 1_764_000_000 + i,
    tsFrac: 999_999_000 - i,
    origLen: 1000 + i,
    data: Buffer.from(Array.from({ length: (i * 13) % 70 }, (_, j) => (i + j) & 0xff)),
  }));
}

const plain = (r: PcapRecord) => ({ tsSec: r.tsSec, tsFrac: r.tsFrac, origLen: r.origLen, capLen: r.capLen, data: Buffer.from(r.data) });
const want = (r: Rec) => ({ tsSec: r.tsSec, tsFrac: r.tsFrac, origLen: r.origLen, capLen: r.data.length, data: r.data });

describe('PcapStreamParser', () => {
  for (const le of [true, false])
    for (const nanos of [false, true])
      it(`parses ${le ? 'little' : 'big'}-endian ${nanos ? 'nanosecond' : 'microsecond'} streams split at every byte`, () => {
        const recs = sampleRecords(12); // includes a zero-length record (i = 0)
        const s = stream(recs, { le, nanos, linkType: 113, snaplen: 1234 });
        for (let cut = 0; cut <= s.length; cut++) {
          const p = new PcapStreamParser();
          const got = [...p.push(s.subarray(0, cut)), ...p.push(s.subarray(cut))].map(plain);
          expect(got).toEqual(recs.map(want));
          expect(p.header).toMatchObject({ linkType: 113, snaplen: 1234, nanos, littleEndian: le });
          expect(p.pendingBytes).toBe(0);
          expect(p.records).toBe(12);
        }
      });

  it('survives one byte at a time and three-way random splits', () => {
    const recs = sampleRecords(30);
    const s = stream(recs, { le: true, nanos: false });
    const p = new PcapStreamParser();
    const got: PcapRecord[] = [];
    for (let i = 0; i < s.length; i++) got.push(...p.push(s.subarray(i, i + 1)));
    expect(got.map(plain)).toEqual(recs.map(want));
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let t = 0; t < 300; t++) {
      const a = rnd(s.length);
      const b = a + rnd(s.length - a);
      const q = new PcapStreamParser();
      const out = [...q.push(s.subarray(0, a)), ...q.push(s.subarray(a, b)), ...q.push(s.subarray(b))];
      expect(out.length).toBe(30);
      expect(plain(out[17]!)).toEqual(want(recs[17]!));
    }
  });

  it('reuseScratch: records copied before the next push() are intact, at any split', () => {
    const recs = sampleRecords(30);
    const s = stream(recs, { le: true, nanos: true });
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let t = 0; t < 300; t++) {
      const q = new PcapStreamParser({ reuseScratch: true });
      const got: ReturnType<typeof plain>[] = [];
      for (let off = 0; off < s.length; ) {
        const n = 1 + rnd(t % 2 ? 40 : 200);
        for (const r of q.push(s.subarray(off, off + n))) got.push(plain(r)); // copied at once, as the helper does
        off += n;
      }
      expect(got).toEqual(recs.map(want));
    }
  });

  it('returns records inside one chunk as views of that chunk (zero-copy)', () => {
    const s = stream(sampleRecords(5), { le: true, nanos: false });
    const out = new PcapStreamParser().push(s);
    for (const r of out) expect(r.data.buffer).toBe(s.buffer);
  });

  it('reports a stream cut mid-record as pending bytes and returns only whole records', () => {
    const recs = sampleRecords(4);
    const s = stream(recs, { le: true, nanos: false });
    const lastLen = 16 + recs[3]!.data.length;
    const p = new PcapStreamParser();
    expect(p.push(s.subarray(0, s.length - 5))).toHaveLength(3);
    expect(p.pendingBytes).toBe(lastLen - 5);
    const p2 = new PcapStreamParser();
    expect(p2.push(s.subarray(0, 24 + 7))).toHaveLength(0);
    expect(p2.pendingBytes).toBe(7);
    expect(p2.header).not.toBeNull();
    const p3 = new PcapStreamParser();
    p3.push(s.subarray(0, 10));
    expect(p3.header).toBeNull();
    expect(p3.pendingBytes).toBe(10);
  });

  it('rejects a bad magic and an implausible record length', () => {
    expect(() => new PcapStreamParser().push(Buffer.alloc(24))).toThrow(PcapFormatError);
    const bad = Buffer.concat([pcapGlobalHeader(1, 65535), pcapRecordHeader({ tsSec: 0, tsFrac: 0, capLen: 0x7fffffff, origLen: 1 })]);
    expect(() => new PcapStreamParser().push(bad)).toThrow(/not plausible/);
  });

  // Throughput is measured by `npm run bench:formats`; here only that every record comes out.
  it('returns every record from pipe-sized chunks: 64 KB records across 64 KB and 1 MB chunks, 80-byte records', () => {
    const parseAll = (recLen: number, count: number, chunk: number, rounds: number) => {
      const { chunks } = chunkedStream(recLen, count, chunk);
      let n = 0;
      for (let r = 0; r < rounds; r++) {
        const p = new PcapStreamParser();
        for (const c of chunks) {
          const recs = p.push(c);
          n += recs.length;
          for (const rec of recs) expect(rec.capLen).toBe(recLen);
        }
        expect(p.pendingBytes).toBe(0);
      }
      expect(n).toBe(count * rounds);
    };
    parseAll(65536, 32, 65536, 2); // every record straddles two chunks
    parseAll(65536, 32, 1 << 20, 2);
    parseAll(80, 5000, 65536, 2);
  });

});
