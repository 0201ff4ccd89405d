// What tcpdump and dumpcap say on stderr about their counts, read the same way by the root
// helper and by rootless captures. tcpdump: "N packets captured / received by filter / dropped
// by kernel" (at exit and on SIGUSR1). dumpcap: "Packets: N" as it writes, then "Packets
// captured: N" and "Packets received/dropped on interface 'NAME': R/D (pcap:P/dumpcap:D/
// flushed:F/ps_ifdrop:I) (X%)". NAME is the interface's description when it has one, and
// vethscope's descriptions span lines and hold "a: 1/2"-like text, so the report's numbers are
// found by what follows them, never by what precedes them.
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
