// The root helper's capture ops for real: tcpdump on our own veth pair in two `ip netns`
// namespaces, started by the helper as the invoking user with CAP_NET_RAW only, writing
// where that user asked. What the helper refuses, and its limits.
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelperClient } from '../../../electron/backend/helper-client/helper-client';
import { HELPER_LIMITS, type HelperEventData, type TcpdumpSpec } from '../../../shared/helper-protocol';
import { buildHelper, children, makePair, ping, removePair, sleep, tshark, waitFor, type Pair } from './helper-fixture';
import { ensureTestUser, type TestUser } from '../../support/users';

const root = process.getuid?.() === 0;
let pair: Pair;
let user: TestUser;
let asUser: HelperClient;
let asRoot: HelperClient;
let dir: string;
let n = 0;
const cid = () => `vsh-cap-${process.pid}-${++n}`;
const spec = (i: 0 | 1, output: string): TcpdumpSpec => ({ netns: pair.handles[i], iface: pair.ifs[i], output });
const start = (c: HelperClient, ifaces: TcpdumpSpec[], more: object = {}) =>
  c.request('startCapture', { captureId: cid(), ifaces, filter: '', snaplen: 65535, maxDurationSec: 120, ...more });

/** /proc/PID/status fields of the tcpdump capturing `iface` (the chain's last exec). */
function tcpdumpStatus(iface: string): Record<string, string> {
  for (const pid of children(process.pid).flatMap((p) => [p, ...children(p)]).flatMap((p) => [p, ...children(p)])) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd[0]?.endsWith('tcpdump') || !cmd.includes(iface)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Object.fromEntries(status.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
    } catch {
      /* gone */
    }
  }
  return {};
}

describe.skipIf(!root)('helper captures: tcpdump as the invoking user', () => {
  beforeAll(async () => {
    buildHelper();
    pair = makePair('c', 71);
    user = ensureTestUser('vsh-capuser');
    dir = mkdtempSync(join(tmpdir(), 'vsh-cap-'));
    chownSync(dir, user.uid, user.gid);
    // Started directly by root, as the app does when it is root, but for another user:
    // everything that user's tcpdumps do is what a sudo or pkexec user's would do.
    asUser = new HelperClient({ elevation: 'root', uid: user.uid, gid: user.gid });
    asRoot = new HelperClient({ elevation: 'root' });
    await Promise.all([asUser.start(), asRoot.start()]);
  });
  afterAll(async () => {
    await Promise.all([asUser?.close(), asRoot?.close()]);
    removePair('c');
    if (dir) rmSync(dir, { recursive: true, force: true });
    user?.remove();
  });

  it('runs tcpdump as that user with CAP_NET_RAW only; the file is theirs; final counters on stop', async () => {
    const out = join(dir, 'side0.pcap');
    const started = await start(asUser, [spec(0, out)], { filter: 'icmp' });
    expect(started.ifaces).toEqual([{ index: 0, linkType: 'EN10MB (Ethernet)', bufferKiB: HELPER_LIMITS.ringMaxKiB, pid: expect.any(Number) }]);
    const st = tcpdumpStatus(pair.ifs[0]);
    // The pid the helper reports (the bottleneck's CPU and drops come from it) is that tcpdump.
    expect(st.Pid).toBe(String(started.ifaces[0]!.pid));
    expect(st.Uid?.split(/\s+/)).toEqual([String(user.uid), String(user.uid), String(user.uid), String(user.uid)]);
    expect(st.Gid?.split(/\s+/)[0]).toBe(String(user.gid));
    expect(st.Groups).toBe('');
    // CAP_NET_RAW (bit 13) and nothing else: no CAP_SYS_RESOURCE, so quotas and the root reserve hold.
    for (const set of ['CapEff', 'CapPrm', 'CapBnd', 'CapAmb']) expect(st[set], set).toBe('0000000000002000');
    expect(st.NoNewPrivs).toBe('1');
    ping(pair, 5);
    await sleep(300);
    const fin = await asUser.request('stopCapture', { captureId: started.captureId });
    expect(fin.ifaces).toMatchObject([{ index: 0, captured: 10, droppedByKernel: 0, ended: 'stopped' }]);
    expect(statSync(out).uid).toBe(user.uid);
    expect(tshark(out).frames.length).toBe(10);
    await expect(asUser.request('stopCapture', { captureId: started.captureId })).rejects.toMatchObject({ code: 'ALREADY_STOPPED' });
    await expect(asUser.request('stopCapture', { captureId: 'vsh-nope-0000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cannot write where the user cannot: a root-only folder refuses, nothing is created', async () => {
    const rootOnly = join(dir, 'root-only');
    mkdirSync(rootOnly, { mode: 0o700 }); // owned by root
    const out = join(rootOnly, 'x.pcap');
    const before = children(asUser.helperPid!).length;
    const err = await start(asUser, [spec(0, out)]).catch((e) => e);
    expect(err.code).toBe('PERMISSION_DENIED');
    expect(existsSync(out)).toBe(false);
    await waitFor(() => children(asUser.helperPid!).length === before || null, 3000);
  });

  it('root as the invoking user still captures (tcpdump -Z root), with the same single capability set kept narrow', async () => {
    // In root's own folder: root's tcpdump has no CAP_DAC_OVERRIDE either, so the user's 0700 folder is closed to it.
    const rootDir = mkdtempSync(join(tmpdir(), 'vsh-cap-root-'));
    const out = join(rootDir, 'as-root.pcap');
    const s = await start(asRoot, [spec(1, out)], { filter: 'icmp' });
    const st = tcpdumpStatus(pair.ifs[1]);
    expect(st.Uid?.split(/\s+/)[0]).toBe('0');
    expect(st.CapEff).toBe('00000000000020c0'); // net_raw, setuid, setgid: what -Z root needs
    ping(pair, 2);
    await sleep(300);
    const fin = await asRoot.request('stopCapture', { captureId: s.captureId });
    expect(fin.ifaces[0]!.captured).toBe(4);
    rmSync(rootDir, { recursive: true, force: true });
  });

  it('refuses pseudo-devices, names that are not an interface of the namespace, and an interface already captured', async () => {
    for (const iface of ['any', 'nflog', 'nfqueue', 'dbus-system', 'usbmon0', 'bluetooth0']) {
      const err = await start(asUser, [{ netns: null, iface, output: join(dir, `${iface}.pcap`) }]).catch((e) => e);
      expect(err.code, iface).toBe('INVALID_INPUT');
      expect(err.message, iface).toMatch(/pseudo-device/);
    }
    // A host interface name asked for inside the container namespace, where it does not exist.
    const missing = await start(asUser, [{ netns: pair.handles[0], iface: 'lo0nope', output: join(dir, 'nope.pcap') }]).catch((e) => e);
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('lo0nope') });
    const first = await start(asUser, [spec(0, join(dir, 'dup-a.pcap'))]);
    const dup = await start(asUser, [spec(0, join(dir, 'dup-b.pcap'))]).catch((e) => e);
    expect(dup).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/already being captured/) });
    const twice = await start(asUser, [spec(1, join(dir, 'twice-a.pcap')), spec(1, join(dir, 'twice-b.pcap'))]).catch((e) => e);
    expect(twice.code).toBe('INVALID_INPUT');
    await asUser.request('stopCapture', { captureId: first.captureId });
  });

  it('a bad filter is BAD_FILTER in tcpdump\'s words before any tcpdump runs', async () => {
    const out = join(dir, 'bad.pcap');
    const before = children(asUser.helperPid!).length;
    const err = await start(asUser, [spec(0, out)], { filter: 'tcp port 99999' }).catch((e) => e);
    expect(err.code).toBe('BAD_FILTER');
    expect(err.message).toMatch(/99999/);
    expect(existsSync(out)).toBe(false);
    expect(children(asUser.helperPid!).length).toBe(before);
  });

  it('shares the kernel buffer budget: two interfaces get half each (capped), and the limits hold', async () => {
    const s = await start(asUser, [spec(0, join(dir, 'b0.pcap')), spec(1, join(dir, 'b1.pcap'))]);
    const share = Math.min(HELPER_LIMITS.ringMaxKiB, Math.floor(HELPER_LIMITS.ringBudgetKiB / 2));
    expect(s.ifaces.map((i) => i.bufferKiB)).toEqual([share, share]);
    expect(tcpdumpStatus(pair.ifs[0]).Name).toBe('tcpdump');
    await asUser.request('stopCapture', { captureId: s.captureId });
    // More interfaces in one request than the helper ever runs: refused by the schema itself.
    const many = Array.from({ length: HELPER_LIMITS.liveTcpdumps + 1 }, (_, i) => ({ netns: null, iface: 'lo', output: join(dir, `m${i}.pcap`) }));
    await expect(start(asUser, many)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('reports an interface that vanished as gone, with its last counters', async () => {
    const p2 = makePair('g', 72);
    try {
      const out = join(dir, 'gone.pcap');
      const ended = new Promise<HelperEventData<'captureIfaceEnded'>>((r) => asUser.on('captureIfaceEnded', (d) => r(d)));
      const s = await asUser.request('startCapture', { captureId: cid(), ifaces: [{ netns: p2.handles[0], iface: p2.ifs[0], output: out }], filter: '', snaplen: 65535, maxDurationSec: 60 });
      ping(p2, 3);
      await sleep(300);
      removePair('g'); // the namespace and its veth go: tcpdump's interface is gone
      const e = await ended;
      expect(e).toMatchObject({ captureId: s.captureId, index: 0, reason: 'gone' });
      expect(tshark(out).code).toBe(0);
    } finally {
      removePair('g');
    }
  });

  it('stops every tcpdump at the duration cap whatever the client does', async () => {
    const out = join(dir, 'cap.pcap');
    const s = await start(asUser, [spec(0, out)], { maxDurationSec: 1 });
    await waitFor(() => tcpdumpStatus(pair.ifs[0]).Name === undefined || null, 5000);
    await expect(asUser.request('stopCapture', { captureId: s.captureId })).rejects.toMatchObject({ code: 'ALREADY_STOPPED' });
  });
});
