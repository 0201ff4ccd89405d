// What tcpdump and dumpcap say on stderr about their counts, read the same way by the root
// helper and by rootless captures. tcpdump: "N packets captured / received by filter / dropped
// by kernel" (at exit and on SIGUSR1). dumpcap: "Packets: N" as it writes, then "Packets
// captured: N" and "Packets received/dropped on interface 'NAME': R/D (pcap:P/dumpcap:D/
// flushed:F/ps_ifdrop:I) (X%)". NAME is the interface's description when it has one, and
// vethscope's descriptions span lines and hold "a: 1/2"-like text, so the report's numbers are
// found by what follows them, never by what precedes them.
import type { TcpdumpCounters, TcpdumpEnd } from './helper-protocol';

const REPORT = /': (\d+)\/(\d+) \(pcap:\d+\/dumpcap:\d+/g;

/** The last dumpcap exit report's packets received and dropped, or null when there is none yet. */
export function parseDumpcapReport(stderr: string): { received: number; dropped: number } | null {
  const m = [...stderr.matchAll(REPORT)].pop();
  return m ? { received: Number(m[1]), dropped: Number(m[2]) } : null;
}

export interface CaptureCounts {
  captured?: number;
  receivedByFilter?: number;
  droppedByKernel?: number;
}

/** The counts the text tells, the last of each; a count it does not tell is left out. */
export function parseCaptureCounts(text: string): CaptureCounts {
  const last = (re: RegExp) => {
    let v: number | undefined;
    for (const m of text.matchAll(re)) v = Number(m[1]);
    return v;
  };
  const report = parseDumpcapReport(text);
  const counts: CaptureCounts = {
    captured: last(/(\d+) packets? captured/g) ?? last(/^Packets(?: captured)?: (\d+)/gm),
    receivedByFilter: report?.received ?? last(/(\d+) packets? received by filter/g),
    droppedByKernel: report?.dropped ?? last(/(\d+) packets? dropped by kernel/g),
  };
  for (const k of Object.keys(counts) as Array<keyof CaptureCounts>) if (counts[k] === undefined) delete counts[k];
  return counts;
}

/**
 * dumpcap's running count: it rewrites `\rPackets: N ` in place, so the newest count ends no
 * line until the next one starts, and when traffic stops none does. A segment is whole once its
 * trailing space is written (a number cut in two has none). `rest`: stderr since its last line end.
 */
export function parseProgressCount(rest: string): number | null {
  const m = /^Packets: (\d{1,15}) $/.exec(rest);
  return m ? Number(m[1]) : null;
}

/** Whether a stderr line is the engines' own chatter or counts rather than a complaint. */
export const isReportLine = (line: string) =>
  /packets? (captured|received by filter|dropped by kernel)|^tcpdump: listening on|^Capturing on |^File: |^Packets( captured)?: \d|^Packets received\/dropped on interface |\(pcap:\d+\/dumpcap:\d+\/flushed:\d+/.test(line);

/** How much of an engine's stderr is kept: its last complaint and dumpcap's multi-line exit report. */
export const ENGINE_STDERR_KEEP = 8192;

/**
 * An engine's stderr (tcpdump's or dumpcap's) as it arrives, read the one way the helper and
 * rootless captures both need: counts from whole lines only (a number cut in two between chunks
 * is not a count), dumpcap's newest running count as soon as it is whole, and when it said it
 * is listening, with which link type.
 */
export class EngineStderr {
  /** The kept tail, \r turned into \n (dumpcap rewrites its "Packets: N" line with \r). */
  tail = '';
  /** Since the last line end. */
  private rest = '';
  captured = 0;
  receivedByFilter = 0;
  droppedByKernel = 0;
  /** tcpdump's link type, or 'pcapng' for dumpcap; '' until it listens. */
  linkType = '';
  listening = false;

  constructor(private readonly dumpcap: boolean) {}

  /** Takes a chunk; true when this chunk is the one that said it listens. */
  push(raw: string): boolean {
    const s = raw.replace(/\r/g, '\n');
    this.tail = (this.tail + s).slice(-ENGINE_STDERR_KEEP);
    this.rest += s;
    const nl = this.rest.lastIndexOf('\n');
    if (nl < 0) {
      if (this.rest.length > ENGINE_STDERR_KEEP) this.rest = this.rest.slice(-ENGINE_STDERR_KEEP);
      this.takeProgress();
      return false;
    }
    const fresh = this.rest.slice(0, nl);
    this.rest = this.rest.slice(nl + 1);
    let started = false;
    if (!this.listening) {
      const m = /listening on .*, link-type ([^,]+)/.exec(fresh);
      if (m || /^Capturing on /m.test(fresh)) {
        this.linkType = m ? m[1]!.trim() : 'pcapng';
        this.listening = started = true;
      }
    }
    // The kept tail's whole lines, since dumpcap's exit report spans lines. The last of each count wins.
    const c = parseCaptureCounts(this.tail.slice(0, this.tail.lastIndexOf('\n') + 1));
    this.captured = c.captured ?? this.captured;
    this.receivedByFilter = c.receivedByFilter ?? this.receivedByFilter;
    this.droppedByKernel = c.droppedByKernel ?? this.droppedByKernel;
    this.takeProgress();
    return started;
  }

  /** The protocol's counters of one engine, as the helper and rootless captures report them. */
  counters(index: number, ended: TcpdumpEnd | null, message: string | null): TcpdumpCounters {
    return { index, captured: this.captured, receivedByFilter: this.receivedByFilter, droppedByKernel: this.droppedByKernel, ended, message: ended ? message : null };
  }

  /** At the engine's exit: a last line without its newline counts too. */
  end(): void {
    if (this.rest) this.push('\n');
  }

  /** dumpcap's newest running count, which ends no line yet (else it reads one update late, or stays there when traffic stops). */
  private takeProgress(): void {
    const n = this.dumpcap ? parseProgressCount(this.rest) : null;
    if (n !== null) this.captured = Math.max(this.captured, n);
  }

  /** The engine's last complaint (not its counts or chatter), without `prefix`. */
  lastError(prefix: RegExp): string | null {
    const lines = this.tail
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !isReportLine(l));
    const last = lines[lines.length - 1];
    return last ? last.replace(prefix, '') : null;
  }
}
