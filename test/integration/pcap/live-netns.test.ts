// Real packets: tcpdump in one namespace of a private veth pair streams pcap
// to stdout (-w - -U); PcapStreamParser parses it as it arrives, we re-encode
// to pcapng, and tshark must see the same packets, timestamps and interface
// name, and summarize() must agree with tshark's columns.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PcapStreamParser, type PcapRecord } from '../../../electron/formats/pcap/pcap-stream';
import { enhancedPacketBlockParts, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../electron/formats/pcap/pcapng-writer';
import { readCaptureFile } from '../../support/capture-file-reader';
import { summarize } from '../../../electron/formats/decode/summarize';
import { isRoot, tempDir } from '../../support/env';
import { waitFor } from '../../support/poll';
import { capinfos, hasTshark, normalizeInfo, tsharkFields } from '../../support/tshark';
import * as peers from './netns-peers';

const hasTcpdump = spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status === 0;
const hasPing = spawnSync('busybox', ['ping'], { stdio: 'ignore' }).error === undefined;
const skipReason = !isRoot ? 'needs root (network namespaces, tcpdump)' : !hasTshark ? 'tshark not installed' : !hasTcpdump ? 'tcpdump not installed' : !hasPing ? 'busybox (ping) not installed' : '';
if (skipReason) console.log(`live-netns: skipped: ${skipReason}`);

const IFACE_LABEL = `vsp-a/eth0 (${peers.VETH_A})`;

describe.skipIf(!!skipReason)(`live capture on a private veth${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const tmp = tempDir('vsp-live-');
  const raw: Buffer[] = [];
  const records: PcapRecord[] = [];
  const parser = new PcapStreamParser();
  const pcapngFile = tmp.path('live.pcapng');
  const rawFile = tmp.path('tcpdump.pcap');
  let tcpdumpStderr = '';

  beforeAll(async () => {
    peers.createPeers();
    const server = peers.nodeInNs(peers.NS_B, peers.SERVER_SCRIPT);
    const ready = once(server.stdout!, 'data');

    // --immediate-mode: without it tcpdump reads the kernel ring a block at a time (up to 1 s late),
    // and on SIGINT it exits without the packets of the unfinished block ("received by filter" > "captured").
    const td = spawn('ip', ['netns', 'exec', peers.NS_A, 'tcpdump', '-i', peers.VETH_A, '--immediate-mode', '-w', '-', '-U', '-n', '-s', '262144'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    td.stdout.on('data', (c: Buffer) => {
      raw.push(c);
      records.push(...parser.push(c));
    });
    td.stderr.on('data', (c: Buffer) => (tcpdumpStderr += c.toString()));
    const tdExit = once(td, 'exit');
    // tcpdump says "listening on" once the socket is open: only then start traffic.
    await waitFor('tcpdump listening', () => tcpdumpStderr.includes('listening on'), 5000, 50);
    await ready;

    try {
      // busybox ping: no iputils here. -w bounds each run in time as well as count.
      peers.inNs(peers.NS_A, 'busybox', 'ping', '-c', '5', '-i', '0.2', '-w', '5', peers.IP_B);
      peers.inNs(peers.NS_A, 'busybox', 'ping', '-6', '-c', '2', '-i', '0.2', '-w', '5', peers.IP6_B);
      const client = peers.nodeInNs(peers.NS_A, peers.CLIENT_SCRIPT);
      const [code] = await once(client, 'exit');
      expect(code).toBe(0);
      await new Promise((r) => setTimeout(r, 300)); // let the last packets reach tcpdump
    } finally {
      td.kill('SIGINT');
      server.kill('SIGTERM');
    }
    await tdExit;

    writeFileSync(rawFile, Buffer.concat(raw));
    const hdr = parser.header!;
    const parts: Buffer[] = [
      sectionHeaderBlock({ comment: 'vethscope live test', userAppl: 'vethscope test' }),
      interfaceDescriptionBlock({ linkType: hdr.linkType, snaplen: hdr.snaplen, name: IFACE_LABEL, description: `netns ${peers.NS_A}`, tsresol: hdr.nanos ? 9 : 6 }),
    ];
    const unit = hdr.nanos ? 1_000_000_000n : 1_000_000n;
    for (const r of records) parts.push(...enhancedPacketBlockParts({ interfaceId: 0, timestamp: BigInt(r.tsSec) * unit + BigInt(r.tsFrac), capLen: r.capLen, origLen: r.origLen, data: r.data }));
    writeFileSync(pcapngFile, Buffer.concat(parts));
  }, 60_000);

  afterAll(() => {
    peers.destroyPeers();
    tmp.remove();
  });

  it('parsed every packet tcpdump wrote, with nothing left over', () => {
    expect(parser.pendingBytes).toBe(0);
    expect(parser.header?.linkType).toBe(1);
    // tcpdump's own count on SIGINT: "N packets captured".
    const captured = Number(/(\d+) packets? captured/.exec(tcpdumpStderr)?.[1]);
    const received = Number(/(\d+) packets? received by filter/.exec(tcpdumpStderr)?.[1]);
    expect(records.length).toBe(captured);
    expect(captured).toBe(received);
    expect(records.length).toBeGreaterThanOrEqual(10 + 4 + 2 + 2 + 6);
  });

  it('tshark counts the same packets and timestamps in tcpdump’s file and in our pcapng', () => {
    const a = tsharkFields(rawFile, ['frame.time_epoch', 'frame.len', 'frame.cap_len']);
    const b = tsharkFields(pcapngFile, ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.interface_name', 'frame.interface_description']);
    expect(b.length).toBe(a.length);
    expect(b.length).toBe(records.length);
    b.forEach((row, i) => {
      expect(row.slice(0, 3)).toEqual(a[i]);
      expect(row[3]).toBe(IFACE_LABEL);
      expect(row[4]).toBe(`netns ${peers.NS_A}`);
    });
    const info = capinfos(pcapngFile);
    expect(info.get('Number of packets')).toBe(String(records.length));
    expect(info.get('Strict time order')).toBe('True');
    expect(info.get('Capture comment')).toBe('vethscope live test');
  });

  it('our reader reads our pcapng back packet for packet', async () => {
    const f = await readCaptureFile(pcapngFile);
    expect(f.truncatedTail).toBe(false);
    expect(f.interfaces[0]?.name).toBe(IFACE_LABEL);
    expect(f.packets.length).toBe(records.length);
    f.packets.forEach((p, i) => expect(p.data.equals(records[i]!.data)).toBe(true));
  });

  it('summarize() agrees with tshark on every captured packet', () => {
    const rows = tsharkFields(pcapngFile, ['_ws.col.Source', '_ws.col.Destination', '_ws.col.Protocol', '_ws.col.Info']);
    const seen = new Set<string>();
    rows.forEach(([src, dst, protocol, info], i) => {
      const r = records[i]!;
      const s = summarize(1, r.data, r.origLen);
      const where = `packet ${i + 1}: tshark says ${protocol} "${info}"`;
      expect(s.protocol, where).toBe(protocol);
      expect([s.src, s.dst], where).toEqual([src, dst]);
      // tshark appends "(reply in N)" / "(request in N)" from its two-way matching: compare up to there.
      expect(normalizeInfo(info!).replace(/ \((reply|request) in \d+\)| \(no response found!\)/, ''), where).toBe(normalizeInfo(s.info));
      seen.add(`${s.protocol}: ${s.info}`);
    });
    // The traffic we made must be there, so the comparison above covered every kind of packet.
    const all = [...seen].join('\n');
    const wanted = [
      /^ICMP: Echo \(ping\) request {2}id=0x[0-9a-f]{4}, seq=1\/256, ttl=64$/m,
      /^ICMP: Echo \(ping\) reply {4}id=/m,
      /^ICMP: Destination unreachable \(Port unreachable\)$/m,
      /^ICMPv6: Echo \(ping\) request id=0x[0-9a-f]{4}, seq=\d, hop limit=64$/m,
      /^ICMPv6: Neighbor Solicitation for fd0e::2 from /m,
      /^DNS: Standard query 0x1a2b A example\.test$/m,
      /^DNS: Standard query response 0x1a2b A example\.test A 10\.250\.0\.9$/m,
      /^TCP: \d+ → 47002 \[SYN\] Seq=\d+ Win=64240 Len=0 MSS=1460 SACK_PERM TSval=\d+ TSecr=0 WS=\d+$/m,
      /^TCP: 47002 → \d+ \[SYN, ACK\]/m,
      /^TCP: \d+ → 47002 \[PSH, ACK\] .* Len=9 /m,
      /^TCP: 47002 → \d+ \[FIN, ACK\]/m,
      /^UDP: \d+ → 47001 Len=9$/m,
      /^ARP: Who has 10\.250\.0\.2\? Tell 10\.250\.0\.1$/m,
      /^ARP: 10\.250\.0\.2 is at [0-9a-f:]{17}$/m,
    ];
    for (const re of wanted) expect(all, `expected a packet matching ${re} among:\n${all}`).toMatch(re);
  });
});
