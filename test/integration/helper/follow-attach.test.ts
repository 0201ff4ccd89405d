// Follow, as the helper sees it: attachInterface adds a tcpdump to a running capture
// after its interface was deleted and recreated (a container restart). Whether and when
// to re-attach is the backend's decision (test/integration/capture covers the file).
// Real veths in our own `ip netns` namespaces (vsu2-* names only), tshark as judge.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelperClient } from '../../../electron/backend/helper-client/helper-client';
import type { HelperEventData } from '../../../shared/helper-protocol';
import { buildHelper, HELPER, sh, shTry, sleep, tshark, waitFor } from './helper-fixture';

const root = process.getuid?.() === 0;
if (!root) console.log('[follow-attach] skipped: needs root (namespaces, veths, tcpdump)');

const NS = ['vsu2-fa', 'vsu2-fb'] as const;
const IF = ['vsu2-f0', 'vsu2-f1'] as const;
const ADDR = ['10.231.202.1', '10.231.202.2'] as const;

function removeNamespaces(): void {
  for (const n of NS) shTry('ip', ['netns', 'del', n]);
}

/** The veth pair between our two namespaces (both must exist). */
function addVeth(): void {
  sh('ip', ['link', 'add', IF[0], 'netns', NS[0], 'type', 'veth', 'peer', 'name', IF[1], 'netns', NS[1]]);
  for (const i of [0, 1] as const) {
    sh('ip', ['-n', NS[i], 'addr', 'add', `${ADDR[i]}/24`, 'dev', IF[i]]);
    sh('ip', ['-n', NS[i], 'link', 'set', IF[i], 'up']);
  }
}

const handle = (i: 0 | 1) => ({ inode: statSync(`/run/netns/${NS[i]}`).ino, path: `/run/netns/${NS[i]}` });

/** Bounded ICMP between our own namespaces only. */
function ping(count: number): void {
  const r = shTry('ip', ['netns', 'exec', NS[0], 'busybox', 'ping', '-q', '-c', String(count), '-i', '0.2', '-W', '1', ADDR[1]]);
  if (r.status !== 0) throw new Error(`ping failed: ${r.stderr || r.stdout}`);
}

describe.skipIf(!root)('helper follow: attachInterface after the interface was recreated', () => {
  let client: HelperClient;
  let dir: string;
  let n = 0;
  const cid = () => `vsu2-follow-${process.pid}-${++n}`;
  const ended: Array<{ t: number; data: HelperEventData<'captureIfaceEnded'> }> = [];

  beforeAll(async () => {
    buildHelper();
    removeNamespaces();
    for (const ns of NS) sh('ip', ['netns', 'add', ns]);
    addVeth();
    dir = mkdtempSync(join(tmpdir(), 'vsu2-follow-'));
    client = new HelperClient({ elevation: 'root', helperPath: HELPER });
    await client.start();
    client.on('captureIfaceEnded', (data) => ended.push({ t: Date.now(), data }));
  });
  afterAll(async () => {
    await client?.close();
    removeNamespaces();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('re-attaches after delete + recreate: a new index, both tcpdumps counted, nothing ends by itself', async () => {
    const id = cid();
    const mine = () => ended.filter((e) => e.data.captureId === id);
    const first = join(dir, 'before.pcap');
    const second = join(dir, 'after.pcap');
    await client.request('startCapture', { captureId: id, ifaces: [{ netns: handle(0), iface: IF[0], output: first }], filter: 'icmp', snaplen: 65535, maxDurationSec: 60 });
    ping(3); // 3 requests + 3 replies on IF[0]
    await sleep(300);
    sh('ip', ['-n', NS[0], 'link', 'del', IF[0]]); // takes the peer with it
    const gone = await waitFor(() => mine()[0], 5000, 10);
    expect(gone.data).toMatchObject({ index: 0, reason: 'gone', counters: { captured: 6 } });

    addVeth();
    const again = await client.request('attachInterface', { captureId: id, iface: { netns: handle(0), iface: IF[0], output: second } });
    expect(again).toMatchObject({ index: 1, linkType: 'EN10MB (Ethernet)' });
    ping(4); // 4 + 4 after the re-attach
    await sleep(300);
    expect(mine()).toHaveLength(1); // the helper never ends a capture by itself
    const fin = await client.request('stopCapture', { captureId: id });
    expect(fin.ifaces.map((c) => [c.index, c.captured, c.ended])).toEqual([
      [0, 6, 'gone'],
      [1, 8, 'stopped'],
    ]);
    expect(tshark(first).frames.length).toBe(6);
    expect(tshark(second).frames.length).toBe(8);
  }, 40_000);

  it('an attach that cannot enter its namespace is TARGET_GONE and uses up no index', async () => {
    const id = cid();
    await client.request('startCapture', { captureId: id, ifaces: [{ netns: handle(0), iface: IF[0], output: join(dir, 'stale-0.pcap') }], filter: 'icmp', snaplen: 65535, maxDurationSec: 60 });
    sh('ip', ['-n', NS[0], 'link', 'del', IF[0]]);
    await waitFor(() => ended.find((e) => e.data.captureId === id), 5000, 10);
    // A handle whose inode no longer matches (the container's namespace was replaced).
    const stale = { ...handle(0), inode: handle(0).inode + 1_000_000 };
    await expect(client.request('attachInterface', { captureId: id, iface: { netns: stale, iface: IF[0], output: join(dir, 'stale-1.pcap') } })).rejects.toMatchObject({ code: 'TARGET_GONE' });
    addVeth();
    const ok = await client.request('attachInterface', { captureId: id, iface: { netns: handle(0), iface: IF[0], output: join(dir, 'stale-2.pcap') } });
    expect(ok.index).toBe(1);
    const fin = await client.request('stopCapture', { captureId: id });
    expect(fin.ifaces.map((c) => c.index)).toEqual([0, 1]);
  }, 30_000);
});
