// dumpcap's exit report on stderr: "Packets received/dropped on interface 'NAME': R/D
// (pcap:P/dumpcap:D/flushed:F/ps_ifdrop:I) (X%)". NAME is the interface's description when
// it has one, and vethscope's descriptions span lines and hold "a: 1/2"-like text, so the
// numbers are found by what follows them, never by what precedes them.
const REPORT = /': (\d+)\/(\d+) \(pcap:\d+\/dumpcap:\d+/g;

/** The last report's packets received and dropped, or null when there is none yet. */
export function parseDumpcapReport(stderr: string): { received: number; dropped: number } | null {
  const m = [...stderr.matchAll(REPORT)].pop();
  return m ? { received: Number(m[1]), dropped: Number(m[2]) } : null;
}

/** Whether a stderr line is part of dumpcap's report rather than a complaint. */
export const isDumpcapReportLine = (line: string) => /\(pcap:\d+\/dumpcap:\d+\/flushed:\d+/.test(line) || /^Packets( captured)?: \d/.test(line) || line.startsWith('Packets received/dropped on interface ');
