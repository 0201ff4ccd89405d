// One tcpdump's pcap stream from its FIFO, parsed as it arrives.
import type { Socket } from 'node:net';
import { PcapStreamParser, type PcapHeader, type PcapRecord } from '../../../formats/pcap/pcap-stream';

export interface PipeEvents {
  /** The pcap header arrived (called before the first onRecords). */
  onHeader(h: PcapHeader): void;
  onRecords(recs: PcapRecord[]): void;
  /** The stream ended: tcpdump exited (EOF), or it was unreadable (error). */
  onEnd(error: string | null): void;
}

export class PcapPipe {
  // Records are consumed (copied into the output's batch, or by the merger) before the next chunk.
  readonly parser = new PcapStreamParser({ reuseScratch: true });
  private paused = false;
  private ended = false;
  private readonly endWaiters: Array<() => void> = [];

  constructor(
    private readonly socket: Socket,
    private readonly events: PipeEvents,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.finish(null));
    socket.on('error', (e) => this.finish(e.message));
    socket.on('close', () => this.finish(null));
  }

  get header(): PcapHeader | null {
    return this.parser.header;
  }

  get done(): boolean {
    return this.ended;
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    const hadHeader = this.parser.header !== null;
    let recs: PcapRecord[];
    try {
      recs = this.parser.push(chunk);
    } catch (e) {
      this.socket.destroy();
      this.finish(`tcpdump stream unreadable: ${(e as Error).message}`);
      return;
    }
    if (!hadHeader && this.parser.header) this.events.onHeader(this.parser.header);
    if (recs.length) this.events.onRecords(recs);
  }

  private finish(error: string | null): void {
    if (this.ended) return;
    this.ended = true;
    this.events.onEnd(error);
    for (const f of this.endWaiters.splice(0)) f();
  }

  /** Stop reading (backpressure: the FIFO fills, tcpdump blocks, the kernel ring absorbs, then drops and counts). */
  pause(): void {
    if (this.paused || this.ended) return;
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** Resolves at the stream's end (tcpdump exited and everything it wrote was read). */
  whenEnded(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.resume();
    return new Promise((r) => this.endWaiters.push(r));
  }

  /** Give up on the stream (a start that failed, or a writer that is closing). */
  destroy(): void {
    this.socket.destroy();
    this.finish(null);
  }

  dispose(): void {
    this.parser.dispose();
  }
}
