// dumpcap's exit report, as dumpcap 4.0 prints it for an interface vethscope names and describes.
import { describe, expect, it } from 'vitest';
import { isDumpcapReportLine, parseDumpcapReport } from '../../../shared/dumpcap-report';

// Recorded from `dumpcap -i lo --ifname web/eth0 --ifdescr $'container web ...\n10.0.0.2/24; 3/4 of it'`,
// counts replaced by a full-rate capture's (61,933 written, 76,658 dropped by the kernel).
const STDERR = [
  "Capturing on 'container web (docker) id 1234: image x:1",
  "10.0.0.2/24; 3/4 of it: web/eth0'",
  'File: /tmp/web.pcapng',
  '\rPackets: 61000 \rPackets captured: 61933',
  "Packets received/dropped on interface 'container web (docker) id 1234: image x:1",
  "10.0.0.2/24; 3/4 of it: web/eth0': 61933/76658 (pcap:76658/dumpcap:0/flushed:0/ps_ifdrop:0) (44.7%)",
  '',
].join('\n');

describe('dumpcap report', () => {
  it('finds the counts after a description that spans lines and holds "N/M" text (was: 0 dropped reported)', () => {
    expect(parseDumpcapReport(STDERR)).toEqual({ received: 61933, dropped: 76658 });
  });
  it('a plain interface name, and no report yet', () => {
    expect(parseDumpcapReport("Packets received/dropped on interface 'veth1': 10/2 (pcap:2/dumpcap:0/flushed:0/ps_ifdrop:0) (83.3%)\n")).toEqual({ received: 10, dropped: 2 });
    expect(parseDumpcapReport("Capturing on 'veth1'\nPackets: 10 ")).toBeNull();
  });
  it('report lines are not taken for an error message', () => {
    const lines = STDERR.split('\n').map((l) => l.replace(/^.*\r/, ''));
    expect(lines.filter(isDumpcapReportLine)).toEqual([lines[3], lines[4], lines[5]]);
  });
});
