// What the capture views say (issue 14): why a capture ended and its gaps, "showing the
// last N of M", when an Interface column is needed, which captures the running list keeps,
// the capture form's Follow and lo choices, a selection that survives a restart, and a
// bridge's tcpdump command without nsenter.
import { describe, expect, it } from 'vitest';
import type { CaptureInfo, PacketSummary } from '../../../shared/capture';
import { endReason, endedByItself, gapText, shortIface } from '../../../renderer/src/captures/describe';
import { needsIfaceColumn, packetCountText } from '../../../renderer/src/captures/PacketList';
import { rememberFirst, timeOrigin } from '../../../renderer/src/hooks/usePackets';
import { busiestNode, runningList } from '../../../renderer/src/App';
import { choicesFor, targetsFor } from '../../../renderer/src/panel/CaptureForm';
import { buildGraph, bridgeNodeId, nsNodeId, stoppedNodeId } from '../../../renderer/src/graph/model';
import { selectedNodes, selectionKey } from '../../../renderer/src/graph/selection';
import { tcpdumpCommand } from '../../../renderer/src/lib/format';
import { HOST, TopoBuilder } from './topo-builder';

const cap = (more: Partial<CaptureInfo>): CaptureInfo => ({
  id: 'x', state: 'running', reason: null, error: null, format: 'pcapng', filter: '', targets: [], interfaces: [], files: [], startedAt: '2026-12-01T09:00:00.000Z',
  endedAt: null, packets: 0, bytes: 0, dropped: 0, packetsPerSec: 0, bytesPerSec: 0, gaps: [], ...more,
});
const iface = (label: string) => ({ label, containerId: null, containerName: null, at: { netns: 1, name: 'v' }, packets: 0, dropped: 0 });
const pkt = (no: number, ifc: string, time = no): PacketSummary => ({ no, time, iface: ifc, src: '', dst: '', protocol: '', length: 60, info: '' });

describe('why a capture ended, and its gaps', () => {
  it('reasons in words, with the error; user stops are not "by itself"', () => {
    expect(endReason(cap({ reason: 'target-gone' }))).toBe('the container stopped or went away');
    expect(endReason(cap({ reason: 'error', error: { code: 'INTERNAL', message: 're-attaching failed' } }))).toBe('an error: re-attaching failed');
    expect(endReason(cap({ reason: null }))).toBeNull();
    expect([endedByItself(cap({ reason: 'user' })), endedByItself(cap({ reason: 'duration' })), endedByItself(cap({ reason: null }))]).toEqual([false, true, false]);
  });
  it('a closed gap says how long nothing was captured; an open one, so far', () => {
    expect(gapText({ label: 'web/eth0', from: '2026-12-01T09:00:05.000Z', to: '2026-12-01T09:00:07.100Z' })).toBe('restarted, 2.1 s not captured');
    expect(gapText({ label: 'web/eth0', from: '2026-12-01T09:00:05.000Z', to: null }, Date.parse('2026-12-01T09:00:06.500Z'))).toBe('restarting: not captured for 1.5 s so far');
    expect(shortIface('nb_web_1/eth0 (veth1a2b)')).toBe('nb_web_1/eth0');
  });
});

describe('the packet list', () => {
  it('says what it shows of the capture', () => {
    expect(packetCountText(500, 1500, true)).toBe('Showing the last 500 of 1,500 packets (the file has them all)');
    expect(packetCountText(42, 42, true)).toBe('42 packets');
    expect(packetCountText(1000, 1500, false)).toBe('Showing the first 1,000 of 1,500 packets: open the file in Wireshark for the rest');
    expect(packetCountText(1000, 0, false)).toBe('Showing the first 1,000 packets of the file');
    expect(packetCountText(12, 12, false)).toBe('12 packets');
  });
  it('an Interface column for a merged capture, not for one interface followed across a restart', () => {
    expect(needsIfaceColumn(cap({ interfaces: [iface('a/eth0 (v1)'), iface('b/eth0 (v2)')] }), [])).toBe(true);
    expect(needsIfaceColumn(cap({ interfaces: [iface('a/eth0 (v1)'), iface('a/eth0 (v9)')] }), [pkt(1, 'a/eth0 (v1)'), pkt(2, 'a/eth0 (v9)')])).toBe(false);
    expect(needsIfaceColumn(cap({ interfaces: [] }), [pkt(1, 'a/eth0'), pkt(2, 'b/eth0')])).toBe(true);
  });
  it('times are relative to packet 1 of the capture, however the list window moves', () => {
    rememberFirst('cap-t', [pkt(1, 'a', 1000.5), pkt(2, 'a', 1001)]);
    rememberFirst('cap-t', [pkt(501, 'a', 1002.55)]);
    expect(timeOrigin('cap-t', '2026-12-01T09:00:00.000Z')).toBe(1000.5);
    // Opened mid-capture (packet 1 never seen): from when it started.
    rememberFirst('cap-u', [pkt(700, 'a', 5)]);
    expect(timeOrigin('cap-u', '2026-12-01T09:00:00.000Z')).toBe(Date.parse('2026-12-01T09:00:00.000Z') / 1000);
  });
});

describe('the running list', () => {
  it('keeps a capture that ended by itself while this window watched it, until dismissed', () => {
    const live = cap({ id: 'a' });
    const gone = cap({ id: 'b', state: 'stopped', reason: 'target-gone' });
    const stopped = cap({ id: 'c', state: 'stopped', reason: 'user' });
    const old = cap({ id: 'd', state: 'stopped', reason: 'target-gone' });
    const ids = (l: CaptureInfo[]) => l.map((c) => c.id);
    expect(ids(runningList([live, gone, stopped, old], new Set(['a', 'b', 'c']), new Set()))).toEqual(['a', 'b']);
    expect(ids(runningList([live, gone], new Set(['a', 'b']), new Set(['b'])))).toEqual(['a']);
  });
});

describe('the capture form', () => {
  const b = new TopoBuilder().bridge('docker0');
  const web = b.container('web');
  const m = buildGraph(b.build(), { showStopped: true });
  const node = m.nodes.find((n) => n.id === nsNodeId(web))!;

  it('offers the container lo, unchecked, for its DNS lookups', () => {
    const cs = choicesFor([node]);
    expect(cs.map((c) => [c.label, c.defaultOn])).toEqual([['web / eth0', true], ['web / lo (DNS lookups)', false]]);
    expect(targetsFor([node], new Set(cs.filter((c) => c.defaultOn).map((c) => c.key)))).toEqual([{ type: 'container', container: 'web', interfaces: ['eth0'] }]);
    expect(targetsFor([node], new Set(cs.map((c) => c.key)))).toEqual([{ type: 'container', container: 'web', interfaces: ['eth0', 'lo'] }]);
  });

  it('host and bridge nodes offer no lo and capture host interfaces', () => {
    const br = m.nodes.find((n) => n.id === bridgeNodeId(HOST, 'docker0'))!;
    expect(choicesFor([br]).map((c) => c.label)).toEqual(['host / docker0']);
    expect(targetsFor([br], new Set(choicesFor([br]).map((c) => c.key)))).toEqual([{ type: 'host', iface: 'docker0' }]);
  });
});

describe('selection across a restart', () => {
  it('a container stays selected from its namespace node to its stopped node to its new namespace', () => {
    const before = new TopoBuilder().bridge('docker0');
    before.container('web');
    const m1 = buildGraph(before.build(), { showStopped: true });
    const key = selectionKey(m1.nodes.find((n) => n.containers[0]?.name === 'web')!);
    const during = new TopoBuilder().bridge('docker0').stopped('web');
    const m2 = buildGraph(during.build(), { showStopped: true });
    expect(selectedNodes(m2.nodes, [key]).map((n) => n.id)).toEqual([stoppedNodeId('id-web')]);
    const after = new TopoBuilder().bridge('docker0');
    after.container('other');
    const again = after.container('web');
    const m3 = buildGraph(after.build(), { showStopped: true });
    expect(selectedNodes(m3.nodes, [key]).map((n) => n.id)).toEqual([nsNodeId(again)]);
  });
});

describe('the busiest container and the bridge panel', () => {
  it('busiestNode picks the node of the container with the most traffic', () => {
    const b = new TopoBuilder().bridge('docker0');
    b.container('quiet');
    const busy = b.container('busy');
    const m = buildGraph(b.build(), { showStopped: true });
    const sample = { containers: [{ id: 'id-quiet', rxBytesPerSec: 1, txBytesPerSec: 0 }, { id: 'id-busy', rxBytesPerSec: 900, txBytesPerSec: 100 }] };
    expect(busiestNode(m, { sample } as never)).toBe(nsNodeId(busy));
    expect(busiestNode(m, { sample: null })).toBeNull();
  });

  it('a bridge is on the host: its tcpdump command enters no namespace', () => {
    const br = { name: 'br-8f6edaf192f9', hostPeer: null } as never;
    expect(tcpdumpCommand(null, br, undefined)).toBe('tcpdump -i br-8f6edaf192f9 -w capture-br-8f6edaf192f9.pcap');
  });
});
