// tcpdump's and dumpcap's counts on stderr; dumpcap's exit report as dumpcap 4.0 prints it for an interface vethscope names and describes.
import { describe, expect, it } from 'vitest';
import { EngineStderr, isReportLine, parseCaptureCounts, parseDumpcapReport, parseProgressCount } from '../../../shared/capture-report';

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
    expect(lines.filter(isReportLine)).toEqual([lines[0], lines[2], lines[3], lines[4], lines[5]]);
  });

  it("counts as the helper and rootless captures read them: dumpcap's and tcpdump's, the last of each", () => {
    expect(parseCaptureCounts(STDERR)).toEqual({ captured: 61933, receivedByFilter: 61933, droppedByKernel: 76658 });
    const tcpdump = 'tcpdump: listening on veth1, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n3 packets captured, 5 packets received by filter, 0 packets dropped by kernel\n9 packets captured\n12 packets received by filter\n1 packet dropped by kernel\n';
    expect(parseCaptureCounts(tcpdump)).toEqual({ captured: 9, receivedByFilter: 12, droppedByKernel: 1 });
    expect(parseCaptureCounts("Capturing on 'veth1'\nPackets: 10 \n")).toEqual({ captured: 10 });
    expect(parseCaptureCounts('tcpdump: veth9: No such device exists\n')).toEqual({});
    expect(isReportLine('tcpdump: veth9: No such device exists')).toBe(false);
  });
});

describe('parseProgressCount (dumpcap rewrites "\\rPackets: N " in place)', () => {
  it('reads the newest count once its trailing space is written, never a number cut in two', () => {
    expect(parseProgressCount('Packets: 45 ')).toBe(45);
    expect(parseProgressCount('Packets: 4')).toBeNull();
    expect(parseProgressCount('Packets: 45')).toBeNull();
    expect(parseProgressCount('Packets captured: 45 ')).toBeNull();
    expect(parseProgressCount('xPackets: 45 ')).toBeNull();
    expect(parseProgressCount('')).toBeNull();
  });
});

describe('EngineStderr (the helper and rootless captures read stderr through it)', () => {
  it("dumpcap: the running count never goes back nor takes a number cut between chunks (rootless captures read 12 of 123)", () => {
    const err = new EngineStderr(true);
    const seen: number[] = [];
    const starts: boolean[] = [];
    for (const chunk of ["Capturing on 'veth0'\n", '\rPackets: 99 ', '\rPackets: 12', '3 ', '\rPackets: 1', '50 ']) {
      starts.push(err.push(chunk));
      seen.push(err.captured);
    }
    expect(seen).toEqual([0, 99, 99, 123, 123, 150]);
    expect(starts).toEqual([true, false, false, false, false, false]);
    expect(err.linkType).toBe('pcapng');
    err.push("\rPackets captured: 151\nPackets received/dropped on interface 'veth0': 151/2 (pcap:2/dumpcap:0/flushed:0/ps_ifdrop:0) (98.7%)\n");
    expect([err.captured, err.receivedByFilter, err.droppedByKernel]).toEqual([151, 151, 2]);
  });

  it('tcpdump: counts from whole lines only, a last line without its newline at the end, and the last complaint', () => {
    const err = new EngineStderr(false);
    expect(err.push('tcpdump: listening on veth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n')).toBe(true);
    expect(err.linkType).toBe('EN10MB (Ethernet)');
    err.push('tcpdump: pcap_loop: The interface disappeared\n10 packets capt');
    expect(err.captured).toBe(0);
    err.push('ured\n11 packets received by filter\n3 packets dropped by kernel');
    expect([err.captured, err.receivedByFilter, err.droppedByKernel]).toEqual([10, 11, 0]);
    err.end();
    expect(err.droppedByKernel).toBe(3);
    expect(err.lastError(/^tcpdump: /)).toBe('pcap_loop: The interface disappeared');
  });
});
