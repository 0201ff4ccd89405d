// Splits a byte stream into lines without ever holding more than `maxLine`
// bytes of one line: a longer line is counted until its newline and then
// reported as too long, never buffered whole (a 2 GB line costs nothing).

export type LineEvent = { line: string } | { tooLong: number };

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private discarding = false;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let off = 0;
    while (off < chunk.length) {
      const nl = chunk.indexOf(0x0a, off);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(off, end);
      this.size += piece.length;
      if (this.size > this.maxLine) {
        // Drop what we had; keep only the count.
        this.discarding = true;
        this.parts = [];
      } else if (piece.length) {
        this.parts.push(Buffer.from(piece)); // copy: the chunk may be reused by the caller
      }
      if (nl === -1) break;
      if (this.discarding) out.push({ tooLong: this.size });
      else out.push({ line: Buffer.concat(this.parts).toString('utf8') });
      this.parts = [];
      this.size = 0;
      this.discarding = false;
      off = nl + 1;
    }
    return out;
  }

  /** Bytes of an unfinished line (non-zero at end of stream = a cut-off line). */
  get pending(): number {
    return this.size;
  }
}
