// Incremental parser for the classic pcap stream tcpdump writes with `-w -`.
// Chunks arrive at arbitrary boundaries (pipe reads), so a record may span
// several chunks. Records wholly inside one chunk are returned as subarrays of
// that chunk (no copy); only records that straddle a boundary are copied once
// into a buffer of exactly their size.

export interface PcapHeader {
  linkType: number;
  snaplen: number;
  /** true when the magic says timestamps carry nanoseconds (0xa1b23c4d). */
  nanos: boolean;
  /** Byte order the writer used; tcpdump writes host order. */
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
}

export interface PcapRecord {
  tsSec: number;
  /** Microseconds, or nanoseconds when the header says `nanos`. */
  tsFrac: number;
  capLen: number;
  origLen: number;
  /** capLen bytes; may share memory with the chunk passed to push(): do not mutate. */
  data: Buffer;
  /**
   * Set when the parser was made with `reuseScratch` and this record straddled
   * chunks: `data` lives in a scratch buffer that a later push() overwrites,
   * so copy it before push() is called again if it must live longer.
   */
  transient?: boolean;
}

export const PCAP_GLOBAL_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;

/**
 * Records longer than this are treated as stream corruption rather than data:
 * libpcap itself refuses records above 256 KiB for most link types, and a
 * garbage length would otherwise make us buffer gigabytes waiting for it.
 */
const MAX_SANE_CAPLEN = 256 * 1024 * 4;

export class PcapFormatError extends Error {
  override name = 'PcapFormatError';
}

/** Parse the 24-byte global header; throws PcapFormatError on a bad magic. */
export function parsePcapGlobalHeader(buf: Buffer): PcapHeader {
  if (buf.length < PCAP_GLOBAL_HEADER_LEN) throw new PcapFormatError('pcap global header needs 24 bytes');
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  let littleEndian: boolean;
  let nanos: boolean;
  if (le === MAGIC_USEC || le === MAGIC_NSEC) {
    littleEndian = true;
    nanos = le === MAGIC_NSEC;
  } else if (be === MAGIC_USEC || be === MAGIC_NSEC) {
    littleEndian = false;
    nanos = be === MAGIC_NSEC;
  } else {
    throw new PcapFormatError(`not a pcap stream (magic 0x${be.toString(16).padStart(8, '0')})`);
  }
  const u16 = (o: number) => (littleEndian ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (littleEndian ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  // The top bits of the link-type field carry FCS info in newer files; the type is the low 16 bits.
  return { littleEndian, nanos, versionMajor: u16(4), versionMinor: u16(6), snaplen: u32(16), linkType: u32(20) & 0xffff };
}

export class PcapStreamParser {
  private hdr: PcapHeader | null = null;
  /** Bytes of an unfinished global header or record header (< 24 bytes). */
  private headBytes: Buffer | null = null;
  /** A record whose header is known but whose data is still arriving. */
  private partial: { rec: PcapRecord; filled: number } | null = null;
  private recordCount = 0;
  /** Two scratch buffers used in turn for records that straddle chunks (reuseScratch only). */
  private scratch: [Buffer | null, Buffer | null] = [null, null];
  private scratchTurn = 0;

  /**
   * reuseScratch: records that straddle chunks are assembled in reusable
   * buffers (marked `transient`) instead of a fresh allocation each: for a
   * consumer that copies every record before its next push().
   */
  constructor(private readonly opts: { reuseScratch?: boolean } = {}) {}

  get header(): PcapHeader | null {
    return this.hdr;
  }

  /** Let go of buffers held for unfinished records (the stream is over). */
  dispose(): void {
    this.scratch = [null, null];
    this.partial = null;
    this.headBytes = null;
  }

  /** Records returned so far. */
  get records(): number {
    return this.recordCount;
  }

  /** Bytes held back waiting for the rest of a header or record (non-zero at end = stream cut mid-record). */
  get pendingBytes(): number {
    if (this.partial) return PCAP_RECORD_HEADER_LEN + this.partial.filled;
    return this.headBytes?.length ?? 0;
  }

  push(chunk: Buffer): PcapRecord[] {
    const out: PcapRecord[] = [];
    this.parse(chunk, out);
    this.recordCount += out.length;
    return out;
  }

  private parse(chunk: Buffer, out: PcapRecord[]): void {
    let off = 0;
    const end = chunk.length;

    // 1. Finish whatever the previous chunk left unfinished.
    if (this.partial) {
      off = this.fillPartial(chunk, 0, out);
      if (this.partial) return;
    }
    if (this.headBytes) {
      const want = (this.hdr ? PCAP_RECORD_HEADER_LEN : PCAP_GLOBAL_HEADER_LEN) - this.headBytes.length;
      const take = Math.min(want, end - off);
      this.headBytes = Buffer.concat([this.headBytes, chunk.subarray(off, off + take)]);
      off += take;
      if (take < want) return;
      const head = this.headBytes;
      this.headBytes = null;
      if (!this.hdr) {
        this.hdr = parsePcapGlobalHeader(head);
      } else {
        this.startRecord(head, 0);
        off = this.fillPartial(chunk, off, out);
        if (this.partial) return;
      }
    }

    // 2. Global header at the very start of the stream.
    if (!this.hdr) {
      if (end - off < PCAP_GLOBAL_HEADER_LEN) {
        this.headBytes = Buffer.from(chunk.subarray(off));
        return;
      }
      this.hdr = parsePcapGlobalHeader(chunk.subarray(off, off + PCAP_GLOBAL_HEADER_LEN));
      off += PCAP_GLOBAL_HEADER_LEN;
    }

    // 3. The hot loop: whole records inside this chunk, returned as subarrays.
    const le = this.hdr.littleEndian;
    while (end - off >= PCAP_RECORD_HEADER_LEN) {
      const capLen = le ? chunk.readUInt32LE(off + 8) : chunk.readUInt32BE(off + 8);
      if (capLen > MAX_SANE_CAPLEN) throw new PcapFormatError(`record length ${capLen} is not plausible: stream corrupt or out of step`);
      const dataStart = off + PCAP_RECORD_HEADER_LEN;
      if (end - dataStart < capLen) break;
      out.push({
        tsSec: le ? chunk.readUInt32LE(off) : chunk.readUInt32BE(off),
        tsFrac: le ? chunk.readUInt32LE(off + 4) : chunk.readUInt32BE(off + 4),
        capLen,
        origLen: le ? chunk.readUInt32LE(off + 12) : chunk.readUInt32BE(off + 12),
        data: chunk.subarray(dataStart, dataStart + capLen),
      });
      off = dataStart + capLen;
    }
    // 4. Keep the tail: a whole record header starts a partial record, less is kept as bytes.
    if (end - off >= PCAP_RECORD_HEADER_LEN) {
      this.startRecord(chunk, off);
      off += PCAP_RECORD_HEADER_LEN;
      this.fillPartial(chunk, off, out);
    } else if (off < end) {
      this.headBytes = Buffer.from(chunk.subarray(off));
    }
    return;
  }

  private startRecord(buf: Buffer, off: number): void {
    const le = this.hdr!.littleEndian;
    const u32 = (o: number) => (le ? buf.readUInt32LE(off + o) : buf.readUInt32BE(off + o));
    const capLen = u32(8);
    if (capLen > MAX_SANE_CAPLEN) throw new PcapFormatError(`record length ${capLen} is not plausible: stream corrupt or out of step`);
    let data: Buffer;
    let transient = false;
    if (this.opts.reuseScratch) {
      // Alternate: a record finished early in one push() may be followed by a new partial one in the same push().
      const turn = (this.scratchTurn ^= 1);
      let s = this.scratch[turn];
      if (!s || s.length < capLen) s = this.scratch[turn] = Buffer.allocUnsafeSlow(Math.max(capLen, 65536));
      data = s.subarray(0, capLen);
      transient = true;
    } else {
      data = Buffer.allocUnsafe(capLen);
    }
    this.partial = { rec: { tsSec: u32(0), tsFrac: u32(4), capLen, origLen: u32(12), data, ...(transient ? { transient } : {}) }, filled: 0 };
  }

  /** Copy bytes into the partial record; emits it when full. Returns the new offset in `chunk`. */
  private fillPartial(chunk: Buffer, off: number, out: PcapRecord[]): number {
    const p = this.partial!;
    const take = Math.min(p.rec.capLen - p.filled, chunk.length - off);
    chunk.copy(p.rec.data, p.filled, off, off + take);
    p.filled += take;
    if (p.filled === p.rec.capLen) {
      out.push(p.rec);
      this.partial = null;
    }
    return off + take;
  }
}
