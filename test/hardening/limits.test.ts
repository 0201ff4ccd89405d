// Section 6: the root helper's resource limits, on the real helper (dist/helper.cjs started by
// root for an unprivileged test user, as sudo/pkexec would) and the real kernel:
//   - the kernel capture buffer: 64 interfaces in one request share HELPER_LIMITS.ringBudgetKiB
//     (tcpdump -B as read from each tcpdump's argv; their RSS summed);
//   - live tcpdumps, captures, duplicate (namespace, interface) pairs: refused before anything runs,
//     also when the requests arrive together;
//   - a pathological filter: compiled as the user, under RLIMIT_CPU, at most two at a time;
//     a filter that compiles in seconds still starts on many interfaces at once;
//   - stdin closing ends the helper within 2 s whatever it is doing, leaving no tcpdump;
//   - pseudo-devices and names that are not an interface of the target namespace;
//   - the helper never holds a capture file (it cannot be made to walk one), and a DirectWriter
//     capture whose file becomes a sparse terabyte still stops, the backend answering meanwhile;
//   - data is written without CAP_SYS_RESOURCE: a capture into an ext4 with 50% reserved blocks
//     ends disk-full at the user's limit with root's reserve untouched (both writers).
// Everything here stays inside this suite's own namespaces (vsx-lim*), users and loop mounts.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureInfo } from '../../shared/capture';
import { HELPER_LIMITS, type TcpdumpSpec } from '../../shared/helper-protocol';
import { createServices, type Services } from '../../electron/backend/create-backend';
import { HelperClient } from '../../electron/backend/helper-client/helper-client';
import { ensureTestUser, type TestUser } from '../support/users';
import { record } from './metrics';
import { alive, buildHelperBundle, checkCaptureFile, cpuTicks, HelperProc, isRoot, openFiles, processes, reapedChildFaults, ROOT, sleep, tcpdumpsUnder, waitFor, type TcpdumpProc } from './support';

const SECTION = '6 helper limits';
const NS = 'vsx-lim';
const PAIRS = 35; // 70 interfaces: more than liveTcpdumps
const IF = (i: number) => `vsxl${i}`;
const PAIR_NS = ['vsx-limp-a', 'vsx-limp-b'] as const;
const PAIR_IF = ['vsxlp0', 'vsxlp1'] as const;
const PAIR_ADDR = ['10.232.61.1', '10.232.61.2'] as const;
const CLK_TCK = 100;
/**
 * `portrange 1-9||portrange 1-9||...` up to 4096 characters: legal, and tcpdump -d needs
 * about 22 s of CPU for it here (4x the limit; `port 1 or port 2 ...` needed only 4.1 s on
 * one machine, under the limit, and CI saw a compile succeed).
 */
const SLOW_FILTER = portranges(Math.floor((4096 + 2) / 'portrange 1-9||'.length));
/** `n` copies of `portrange 1-9` joined by ||: the optimizer's time grows as about n³. */
function portranges(n: number): string {
  return Array.from({ length: n }, () => 'portrange 1-9').join('||');
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const shTry = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const nsHandle = (name: string) => ({ inode: statSync(`/run/netns/${name}`).ino, path: `/run/netns/${name}` });

type Attempt<T> = { ok: true; result: T } | { ok: false; code: string; message: string };
const attempt = <T>(p: Promise<T>): Promise<Attempt<T>> => p.then((result) => ({ ok: true as const, result }), (e) => ({ ok: false as const, code: e.code ?? 'THROWN', message: String(e.message ?? e) }));

/** Bounded traffic between our own two namespaces only (busybox ping), without blocking the event loop. */
function ping(count: number, intervalSec: number, size: number): Promise<void> {
  return new Promise((res) => {
    const c = spawn('ip', ['netns', 'exec', PAIR_NS[0], 'busybox', 'ping', '-q', '-c', String(count), '-i', String(intervalSec), '-s', String(size), '-W', '1', PAIR_ADDR[1]], { stdio: 'ignore' });
    c.on('exit', () => res());
  });
}

/** Largest record our big pings make (60,000 B of ICMP + headers): less free than this is a full disk for the writer. */
const BIG_RECORD = 64 * 1024;

/** statfs of a mount: blocks free to the user (avail), free at all (free, root's reserve included), block size. */
function fsBlocks(mnt: string): { avail: number; free: number; bsize: number } {
  const [avail, free, bsize] = sh('stat', ['-f', '-c', '%a %f %S', mnt]).split(' ').map(Number);
  return { avail: avail!, free: free!, bsize: bsize! };
}

/** An ext4 of `mib` MiB with half its blocks reserved for root, loop-mounted at `mnt` and owned by `user`. */
function reservedExt4(img: string, mnt: string, user: TestUser, mib = 8): { reserved: number } {
  rmSync(img, { force: true });
  sh('truncate', ['-s', `${mib}M`, img]);
  sh('mkfs.ext4', ['-q', '-F', '-m', '50', img]);
  mkdirSync(mnt, { recursive: true });
  sh('mount', ['-o', 'loop', img, mnt]);
  chownSync(mnt, user.uid, user.gid);
  const reserved = Number(/Reserved block count:\s+(\d+)/.exec(sh('tune2fs', ['-l', img]))?.[1]);
  return { reserved };
}

function unmount(mnt: string): void {
  shTry('umount', [mnt]);
}

describe.skipIf(!isRoot)('6. helper limits', () => {
  let user: TestUser;
  let out: string;
  let ns: { inode: number; path: string };
  let n = 0;
  const cid = () => `vsx-lim-${process.pid}-${++n}`;
  const spec = (i: number, name = `f${n}-${i}.pcap`): TcpdumpSpec => ({ netns: ns, iface: IF(i), output: join(out, name) });
  const params = (ifaces: TcpdumpSpec[], more: object = {}) => ({ captureId: cid(), ifaces, filter: '', snaplen: 262144, maxDurationSec: 300, ...more });

  beforeAll(() => {
    buildHelperBundle();
    user = ensureTestUser('vsx-limuser');
    out = mkdtempSync('/tmp/vsx-lim-out-');
    chownSync(out, user.uid, user.gid);
    shTry('ip', ['netns', 'del', NS]);
    sh('ip', ['netns', 'add', NS]);
    sh('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    for (let i = 0; i < PAIRS * 2; i += 2) sh('ip', ['-n', NS, 'link', 'add', IF(i), 'type', 'veth', 'peer', 'name', IF(i + 1)]);
    for (let i = 0; i < PAIRS * 2; i++) sh('ip', ['-n', NS, 'link', 'set', IF(i), 'up']);
    ns = nsHandle(NS);
    // Two namespaces joined by a veth with a large MTU: a few big pings fill a small disk fast.
    for (const p of PAIR_NS) shTry('ip', ['netns', 'del', p]);
    for (const p of PAIR_NS) sh('ip', ['netns', 'add', p]);
    sh('ip', ['link', 'add', PAIR_IF[0], 'netns', PAIR_NS[0], 'mtu', '65000', 'type', 'veth', 'peer', 'name', PAIR_IF[1], 'netns', PAIR_NS[1], 'mtu', '65000']);
    for (let i = 0; i < 2; i++) {
      sh('ip', ['-n', PAIR_NS[i]!, 'addr', 'add', `${PAIR_ADDR[i]}/24`, 'dev', PAIR_IF[i]!]);
      sh('ip', ['-n', PAIR_NS[i]!, 'link', 'set', PAIR_IF[i]!, 'up']);
      sh('ip', ['-n', PAIR_NS[i]!, 'link', 'set', 'lo', 'up']);
    }
  }, 120_000);

  afterAll(() => {
    shTry('ip', ['netns', 'del', NS]);
    for (const p of PAIR_NS) shTry('ip', ['netns', 'del', p]);
    if (out) rmSync(out, { recursive: true, force: true });
    user?.remove();
  });

  describe('one helper for the test user', () => {
    let c: HelperClient;
    let pid: number;
    beforeAll(async () => {
      c = new HelperClient({ elevation: 'root', uid: user.uid, gid: user.gid });
      await c.start();
      pid = c.helperPid!;
      expect(c.identity).toMatchObject({ uid: 0, invokingUid: user.uid });
    });
    afterAll(async () => {
      await c?.close();
    });
    const stopAll = async (ids: string[]) => {
      for (const id of ids) await attempt(c.request('stopCapture', { captureId: id }));
      await waitFor('tcpdumps to exit', () => tcpdumpsUnder(pid).length === 0, 15_000);
    };

    it('64 interfaces in one request: each tcpdump gets its share of the ring budget (tcpdump -B), not 64 MiB each', async () => {
      const ifaces = Array.from({ length: HELPER_LIMITS.liveTcpdumps }, (_, i) => spec(i));
      const s = await c.request('startCapture', params(ifaces));
      await sleep(500); // rings are set up before "listening on"; RSS settles
      const tds = tcpdumpsUnder(pid).filter((t) => !t.compile);
      const share = Math.floor(HELPER_LIMITS.ringBudgetKiB / HELPER_LIMITS.liveTcpdumps);
      const argvB = [...new Set(tds.map((t) => t.bufferKiB))];
      const replyB = [...new Set(s.ifaces.map((i) => i.bufferKiB))];
      const rssMiB = Math.round(tds.reduce((a, t) => a + t.rssKb, 0) / 1024);
      const uids = [...new Set(tds.map((t) => t.uid))];
      const oldRingMiB = (HELPER_LIMITS.liveTcpdumps * 65536) / 1024; // the old helper's fixed -B 65536 each
      await stopAll([s.captureId]);
      const ok = tds.length === 64 && argvB.length === 1 && argvB[0] === share && replyB[0] === share && replyB.length === 1 && uids.length === 1 && uids[0] === user.uid && rssMiB < oldRingMiB;
      record({
        section: SECTION,
        check: '64 interfaces in one request: tcpdump -B is each one\'s share of the ring budget',
        inputs: 1,
        detail: `tcpdumps=${tds.length} -B in argv=${argvB.join(',')} KiB (reply ${replyB.join(',')}; budget ${HELPER_LIMITS.ringBudgetKiB} KiB / 64 = ${share}); total -B ${(tds.reduce((a, t) => a + (t.bufferKiB ?? 0), 0) / 1024).toFixed(0)} MiB; RSS of the 64 tcpdumps ${rssMiB} MiB (the old helper's -B 65536 each asked for ${oldRingMiB} MiB of ring); uids=${uids.join(',')}`,
        ok,
      });
      expect(tds.length).toBe(64);
      expect(argvB).toEqual([share]);
      expect(replyB).toEqual([share]);
      expect(uids).toEqual([user.uid]);
      expect(rssMiB).toBeLessThan(oldRingMiB);
    });

    it('more captures or interfaces than the limits allow are refused before anything starts, one after another', async () => {
      const refusals: string[] = [];
      const started: string[] = [];
      for (let i = 0; i < HELPER_LIMITS.captures; i++) started.push((await c.request('startCapture', params([spec(i)]))).captureId);
      let f0 = reapedChildFaults(pid);
      const oneTooMany = await attempt(c.request('startCapture', params([spec(HELPER_LIMITS.captures)])));
      const spawnedForCaptures = reapedChildFaults(pid) !== f0 || tcpdumpsUnder(pid).length !== HELPER_LIMITS.captures;
      refusals.push(oneTooMany.ok ? 'ACCEPTED' : oneTooMany.message);
      await stopAll(started);

      const big = await c.request('startCapture', params(Array.from({ length: HELPER_LIMITS.liveTcpdumps }, (_, i) => spec(i))));
      f0 = reapedChildFaults(pid);
      const extraCapture = await attempt(c.request('startCapture', params([spec(64)])));
      const extraAttach = await attempt(c.request('attachInterface', { captureId: big.captureId, iface: spec(65) }));
      const spawnedForIfaces = reapedChildFaults(pid) !== f0 || tcpdumpsUnder(pid).length !== HELPER_LIMITS.liveTcpdumps;
      refusals.push(extraCapture.ok ? 'ACCEPTED' : extraCapture.message, extraAttach.ok ? 'ACCEPTED' : extraAttach.message);
      await stopAll([big.captureId]);
      const tooManyInOne = await attempt(c.request('startCapture', params(Array.from({ length: HELPER_LIMITS.liveTcpdumps + 1 }, (_, i) => spec(i % 70, `x${i}.pcap`)))));
      const ok = !oneTooMany.ok && /at most 16 captures/.test(oneTooMany.message) && !extraCapture.ok && !extraAttach.ok && /at most 64 interfaces/.test(extraCapture.message) && /at most 64 interfaces/.test(extraAttach.message) && !tooManyInOne.ok && !spawnedForCaptures && !spawnedForIfaces;
      record({ section: SECTION, check: `a ${HELPER_LIMITS.captures + 1}th capture, a ${HELPER_LIMITS.liveTcpdumps + 1}th interface (start or attach), 65 in one request: refused, nothing spawned`, inputs: 4, detail: `${refusals.map((r) => `"${r.slice(0, 70)}"`).join('; ')}; 65 in one request: ${tooManyInOne.ok ? 'ACCEPTED' : tooManyInOne.code}; spawned for refused requests: ${spawnedForCaptures || spawnedForIfaces}`, ok });
      expect(oneTooMany).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringMatching(/at most 16 captures/) });
      expect(extraCapture).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringMatching(/at most 64 interfaces/) });
      expect(extraAttach).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringMatching(/at most 64 interfaces/) });
      expect(tooManyInOne).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
      expect(spawnedForCaptures || spawnedForIfaces).toBe(false);
    });

    it('the same (namespace, interface) twice is refused: in one request, in another capture, by another path to the namespace', async () => {
      // A process inside NS: /proc/PID/ns/net is the same namespace under another name.
      const sleeper = spawn('ip', ['netns', 'exec', NS, 'sleep', '600'], { stdio: 'ignore' });
      try {
        await waitFor('sleeper inside the namespace', () => {
          try {
            return statSync(`/proc/${sleeper.pid}/ns/net`).ino === ns.inode;
          } catch {
            return false;
          }
        }, 5000, 20);
        const viaProc = { inode: ns.inode, path: `/proc/${sleeper.pid}/ns/net` };
        const first = await c.request('startCapture', params([spec(0)]));
        const f0 = reapedChildFaults(pid);
        const cases = {
          'another capture': await attempt(c.request('startCapture', params([spec(0, 'dup-a.pcap')]))),
          'twice in one request': await attempt(c.request('startCapture', params([spec(1, 'dup-b.pcap'), spec(1, 'dup-c.pcap')]))),
          'by /proc/PID/ns/net': await attempt(c.request('startCapture', params([{ netns: viaProc, iface: IF(0), output: join(out, 'dup-d.pcap') }]))),
          'attached to its own capture': await attempt(c.request('attachInterface', { captureId: first.captureId, iface: spec(0, 'dup-e.pcap') })),
        };
        const spawned = reapedChildFaults(pid) !== f0;
        const live = tcpdumpsUnder(pid).length;
        await stopAll([first.captureId, ...Object.values(cases).flatMap((r) => (r.ok && 'captureId' in (r.result as object) ? [(r.result as { captureId: string }).captureId] : []))]);
        const accepted = Object.entries(cases).filter(([, r]) => r.ok).map(([k]) => k);
        const ok = accepted.length === 0 && Object.values(cases).every((r) => !r.ok && /already being captured/.test(r.message)) && !spawned && live === 1;
        record({ section: SECTION, check: 'duplicate (namespace, interface): another capture, twice in one request, another path, attach', inputs: 4, detail: `accepted=${accepted.join(',') || 'none'}; ${Object.entries(cases).map(([k, r]) => `${k}: ${r.ok ? 'ACCEPTED' : r.code}`).join('; ')}; spawned=${spawned}; tcpdumps=${live}`, ok });
        expect(accepted).toEqual([]);
        for (const r of Object.values(cases)) expect(r).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringMatching(/already being captured/) });
        expect(spawned).toBe(false);
      } finally {
        sleeper.kill('SIGKILL');
      }
    });

    it('the host namespace named two ways (null, /proc/PID/ns/net) is one namespace: its interface is refused the second time', async () => {
      const host = { inode: statSync(`/proc/${process.pid}/ns/net`).ino, path: `/proc/${process.pid}/ns/net` };
      const a = await attempt(c.request('startCapture', params([{ netns: null, iface: 'lo', output: join(out, 'host-a.pcap') }])));
      const b = await attempt(c.request('startCapture', params([{ netns: host, iface: 'lo', output: join(out, 'host-b.pcap') }])));
      const both = tcpdumpsUnder(pid).length;
      await stopAll([a, b].flatMap((r) => (r.ok ? [r.result.captureId] : [])));
      const ok = a.ok && !b.ok;
      record({ section: SECTION, check: "the host's lo as netns null, then by the host's /proc/PID/ns/net: refused the second time", inputs: 2, detail: `first ${a.ok ? 'started' : a.code}; second ${b.ok ? 'ACCEPTED' : b.code}; tcpdumps on the host's lo at once=${both}`, ok });
      expect(a.ok).toBe(true);
      expect(b, 'the second tcpdump on the same interface').toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    });

    it('the limits hold for requests that arrive together (captures, interfaces, duplicates, ring budget)', async () => {
      // 17 captures in one burst: the 17th must be refused like it is one after another.
      const burst = await Promise.all(Array.from({ length: HELPER_LIMITS.captures + 1 }, (_, i) => attempt(c.request('startCapture', params([spec(i)])))));
      const burstOk = burst.filter((r) => r.ok).length;
      await stopAll(burst.flatMap((r) => (r.ok ? [r.result.captureId] : [])));
      // The same interface in two captures at once.
      const dup = await Promise.all([0, 1].map((k) => attempt(c.request('startCapture', params([spec(2, `together-${k}.pcap`)])))));
      const dupOk = dup.filter((r) => r.ok).length;
      await stopAll(dup.flatMap((r) => (r.ok ? [r.result.captureId] : [])));
      // Two 35-interface captures at once: 70 > 64 interfaces, and the budget must still hold.
      const halves = await Promise.all([0, 1].map((k) => attempt(c.request('startCapture', params(Array.from({ length: PAIRS }, (_, i) => spec(i + k * PAIRS)))))));
      await sleep(300);
      const tds = tcpdumpsUnder(pid).filter((t) => !t.compile);
      const totalB = tds.reduce((a, t) => a + (t.bufferKiB ?? 0), 0);
      await stopAll(halves.flatMap((r) => (r.ok ? [r.result.captureId] : [])));
      const ok = burstOk <= HELPER_LIMITS.captures && dupOk === 1 && tds.length <= HELPER_LIMITS.liveTcpdumps && totalB <= HELPER_LIMITS.ringBudgetKiB;
      record({
        section: SECTION,
        check: 'limits for requests arriving together: 17 captures, one interface twice, 2 × 35 interfaces',
        inputs: HELPER_LIMITS.captures + 1 + 2 + 2,
        detail: `17 at once: ${burstOk} accepted (limit ${HELPER_LIMITS.captures}); same interface twice at once: ${dupOk} accepted; 2 × 35 at once: ${halves.filter((r) => r.ok).length} accepted, ${tds.length} live tcpdumps (limit ${HELPER_LIMITS.liveTcpdumps}), total -B ${Math.round(totalB / 1024)} MiB (budget ${HELPER_LIMITS.ringBudgetKiB / 1024} MiB)`,
        ok,
      });
      expect(burstOk, 'captures accepted from a burst of 17').toBeLessThanOrEqual(HELPER_LIMITS.captures);
      expect(dupOk, 'the same interface in two simultaneous requests').toBe(1);
      expect(tds.length, 'live tcpdumps after two simultaneous 35-interface captures').toBeLessThanOrEqual(HELPER_LIMITS.liveTcpdumps);
      expect(totalB, 'sum of tcpdump -B (KiB)').toBeLessThanOrEqual(HELPER_LIMITS.ringBudgetKiB);
    });

    it('a pathological filter: 4 at once are compiled as the user, at most 2 at a time, each ended by RLIMIT_CPU', async () => {
      const seen = new Map<number, TcpdumpProc & { firstSeen: number; lastSeen: number; ticks: number }>();
      let maxAtOnce = 0;
      const watch = setInterval(() => {
        const now = tcpdumpsUnder(pid).filter((t) => t.compile);
        maxAtOnce = Math.max(maxAtOnce, now.length);
        for (const t of now) {
          const prev = seen.get(t.pid);
          const ticks = cpuTicks(t.pid);
          seen.set(t.pid, { ...t, firstSeen: prev?.firstSeen ?? Date.now(), lastSeen: Date.now(), ticks: ticks >= 0 ? ticks : (prev?.ticks ?? 0), cpuLimit: prev && prev.cpuLimit !== '?' ? prev.cpuLimit : t.cpuLimit });
        }
      }, 25);
      const t0 = Date.now();
      let replies: Array<Attempt<unknown>>;
      try {
        replies = await Promise.all([0, 1, 2, 3].map((i) => attempt(c.request('startCapture', params([spec(10 + i)], { filter: SLOW_FILTER })))));
      } finally {
        clearInterval(watch);
      }
      const wallS = ((Date.now() - t0) / 1000).toFixed(1);
      const compiles = [...seen.values()];
      const uids = [...new Set(compiles.map((t) => t.uid))];
      const limits = [...new Set(compiles.map((t) => t.cpuLimit))];
      const cpu = compiles.map((t) => (t.ticks / CLK_TCK).toFixed(1));
      const msgs = [...new Set(replies.map((r) => (r.ok ? 'ACCEPTED' : `${r.code}: ${r.message}`)))];
      const left = tcpdumpsUnder(pid).length;
      const ok = replies.every((r) => !r.ok && r.code === 'BAD_FILTER' && /more than 5 s/.test(r.message)) && maxAtOnce <= HELPER_LIMITS.filterCompilations && compiles.length === 4 && uids.length === 1 && uids[0] === user.uid && limits.length === 1 && limits[0] === String(HELPER_LIMITS.filterCpuSec) && left === 0;
      record({
        section: SECTION,
        check: `pathological filter (${SLOW_FILTER.length} chars) × 4 at once: tcpdump -d as the user, ≤ ${HELPER_LIMITS.filterCompilations} at a time, RLIMIT_CPU ${HELPER_LIMITS.filterCpuSec} s`,
        inputs: 4,
        detail: `compilations seen=${compiles.length}, most at once=${maxAtOnce}, uids=${uids.join(',')}, Max cpu time=${limits.join(',')} s, CPU used each=${cpu.join('/')} s, all four answered in ${wallS} s; replies: ${msgs.join(' | ').slice(0, 200)}; tcpdumps left=${left}`,
        ok,
      });
      for (const r of replies) expect(r).toMatchObject({ ok: false, code: 'BAD_FILTER', message: expect.stringMatching(/more than 5 s/) });
      expect(compiles.length, 'four compilations observed').toBe(4);
      expect(maxAtOnce).toBeLessThanOrEqual(HELPER_LIMITS.filterCompilations);
      expect(uids).toEqual([user.uid]);
      expect(limits).toEqual([String(HELPER_LIMITS.filterCpuSec)]);
      expect(left).toBe(0);
    });

    it('a filter the check accepted after seconds: N tcpdumps compiling it again all start (the start waits as long as they need)', async () => {
      // Calibrate on this machine: the smallest of these filters tcpdump -d needs ≥ 1 s of CPU for.
      let filter = '';
      let compileMs = 0;
      for (const terms of [100, 115, 130, 145, 160]) {
        filter = portranges(terms);
        const t0 = performance.now();
        sh('tcpdump', ['-d', '-y', 'EN10MB', '--', filter]);
        compileMs = performance.now() - t0;
        if (compileMs >= 1000) break;
      }
      expect(compileMs, 'a filter that compiles in 1-4 s here').toBeGreaterThanOrEqual(1000);
      expect(compileMs).toBeLessThan(4000);
      // Enough of them that compiling together takes well over the 5 s a tcpdump alone gets to start.
      const cores = availableParallelism();
      const count = Math.min(2 * PAIRS, Math.ceil((1.5 * 5000 * cores) / compileMs));
      const t0 = Date.now();
      const r = await attempt(c.request('startCapture', params(Array.from({ length: count }, (_, i) => spec(i)), { filter })));
      const wallS = (Date.now() - t0) / 1000;
      if (r.ok) await c.request('stopCapture', { captureId: r.result.captureId });
      const left = tcpdumpsUnder(pid).length;
      record({
        section: SECTION,
        check: `a filter compiling in ${(compileMs / 1000).toFixed(1)} s, on ${count} interfaces at once (${cores} CPUs)`,
        inputs: 1,
        detail: `${r.ok ? `started: ${r.result.ifaces.length} listening` : `${r.code}: ${r.message}`}, answered in ${wallS.toFixed(1)} s (5 s alone would have cut it at ${(5 + compileMs / 1000).toFixed(1)} s); tcpdumps left=${left}`,
        ok: r.ok && r.result.ifaces.length === count && left === 0,
      });
      expect(r, 'the capture starts').toMatchObject({ ok: true });
      expect(r.ok && r.result.ifaces.length, 'interfaces listening').toBe(count);
      expect(left).toBe(0);
    }, 120_000);

    it('refuses pseudo-devices and names that are not an interface of the target namespace, before any process runs', async () => {
      const pseudo = ['any', 'nflog', 'nflog:5', 'nfqueue', 'nfqueue:0', 'dbus-system', 'dbus-session', 'usbmon0', 'usbmon', 'bluetooth0', 'bluetooth-monitor', 'eth0:1', 'netmap:lo', 'dpdk:0', 'lo:0'];
      const f0 = reapedChildFaults(pid);
      const wrongly: string[] = [];
      for (const iface of pseudo)
        for (const netns of [null, ns]) {
          const r = await attempt(c.request('startCapture', params([{ netns, iface, output: join(out, `pseudo-${iface.replace(/:/g, '_')}.pcap`) }])));
          // (bluetooth-monitor is longer than any interface name: the schema refuses it first)
          const why = iface.length > 15 ? /not a valid interface name/ : /pseudo-device/;
          if (r.ok || r.code !== 'INVALID_INPUT' || !why.test(r.message)) wrongly.push(`${iface}@${netns ? 'ns' : 'host'}: ${r.ok ? 'ACCEPTED' : r.code}`);
          if (r.ok) await c.request('stopCapture', { captureId: r.result.captureId });
        }
      const spawnedForPseudo = reapedChildFaults(pid) !== f0;
      // A name the host has (this suite's bridge) asked for inside the namespace, and the namespace's own name on the host.
      const hostOnly = process.env.VETHSCOPE_TEST_BRIDGE ?? 'vshbr0';
      expect(shTry('ip', ['link', 'show', 'dev', hostOnly]).status, `${hostOnly} exists on the host`).toBe(0);
      const inNs = await attempt(c.request('startCapture', params([{ netns: ns, iface: hostOnly, output: join(out, 'hostonly.pcap') }])));
      const onHost = await attempt(c.request('startCapture', params([{ netns: null, iface: IF(0), output: join(out, 'nsonly.pcap') }])));
      const control = await attempt(c.request('startCapture', params([{ netns: ns, iface: 'lo', output: join(out, 'control.pcap') }])));
      if (control.ok) await c.request('stopCapture', { captureId: control.result.captureId });
      const ok = wrongly.length === 0 && !spawnedForPseudo && !inNs.ok && inNs.code === 'NOT_FOUND' && !onHost.ok && onHost.code === 'NOT_FOUND' && control.ok && tcpdumpsUnder(pid).length === 0;
      record({
        section: SECTION,
        check: 'pseudo-devices (any, nflog, nfqueue, dbus-*, usbmon, bluetooth, names with ":") and names from another namespace refused',
        inputs: pseudo.length * 2 + 2,
        detail: `pseudo-devices refused ${pseudo.length * 2 - wrongly.length}/${pseudo.length * 2}${wrongly.length ? ` (wrong: ${wrongly.join(', ')})` : ''}, processes started for them: ${spawnedForPseudo}; host's ${hostOnly} in the namespace: ${inNs.ok ? 'ACCEPTED' : inNs.code}; the namespace's ${IF(0)} on the host: ${onHost.ok ? 'ACCEPTED' : onHost.code}; control (lo in the namespace) ${control.ok ? 'started' : control.code}`,
        ok,
      });
      expect(wrongly).toEqual([]);
      expect(spawnedForPseudo).toBe(false);
      expect(inNs).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(onHost).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(control.ok).toBe(true);
    });
  });

  it('on stdin close the helper exits within 2 s, even while 2 slow compilations and 14 captures run, leaving no tcpdump', async () => {
    const h = new HelperProc(['--user', `${user.uid}:${user.gid}`]);
    let id = 0;
    try {
      expect((await h.call(++id, 'hello', {})).ok).toBe(true);
      // Two slow compilations first (each holds its capture slot while it compiles), then the captures up to the limit.
      const slow = [++id, ++id];
      for (const [k, rid] of slow.entries()) await h.send(rid, 'startCapture', params([spec(40 + k)], { filter: SLOW_FILTER }));
      await waitFor('2 compilations running', () => tcpdumpsUnder(h.pid).filter((t) => t.compile).length === 2, 20_000, 20);
      let captures = 0;
      for (let i = 0; i < HELPER_LIMITS.captures - slow.length; i++) {
        const r = await h.call(++id, 'startCapture', params([spec(i)]));
        if (r.ok) captures++;
      }
      const running = tcpdumpsUnder(h.pid);
      const compiling = running.filter((t) => t.compile).length;
      const t0 = Date.now();
      h.child.stdin.end();
      const ex = await Promise.race([h.exit, sleep(5000).then(() => null)]);
      const exitMs = ex ? ex.at - t0 : null;
      await sleep(300);
      const left = running.filter((t) => alive(t.pid));
      const leftCompile = left.filter((t) => t.compile).length;
      const ok = ex !== null && ex.code === 0 && exitMs !== null && exitMs <= 2000 && left.length === 0 && captures === HELPER_LIMITS.captures - slow.length && compiling === 2;
      record({
        section: SECTION,
        check: 'stdin closed while 2 slow compilations and 14 captures run: exit within 2 s, no tcpdump left',
        faults: 1,
        detail: `captures running=${captures} (${running.length - compiling} tcpdumps), compilations running=${compiling}; exit ${JSON.stringify(ex && { code: ex.code, signal: ex.signal })} after ${exitMs ?? '>5000'} ms; left 300 ms later: ${left.length - leftCompile} capturing tcpdumps, ${leftCompile} tcpdump -d${leftCompile ? ` (uid ${left.find((t) => t.compile)?.uid}, Max cpu time ${left.find((t) => t.compile)?.cpuLimit} s)` : ''}`,
        ok,
      });
      expect(captures).toBe(HELPER_LIMITS.captures - slow.length);
      expect(compiling).toBe(2);
      expect(ex).not.toBeNull();
      expect(ex!.code).toBe(0);
      expect(exitMs!).toBeLessThanOrEqual(2000);
      expect(left.map((t) => t.argv.slice(0, 3).join(' ')), 'tcpdumps alive after the helper exited').toEqual([]);
    } finally {
      if (alive(h.pid)) h.child.kill('SIGKILL');
      for (const t of processes()) if (t.comm === 'tcpdump' && t.argv.includes(SLOW_FILTER)) spawnSync('kill', ['-KILL', String(t.pid)]);
    }
  }, 60_000);

  describe('through the Backend (root here): the helper holds no capture file', () => {
    let s: Services;
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync('/tmp/vsx-lim-backend-');
      s = createServices({ env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/vsx-lim.sock' }, capturesDir: dir });
    });
    afterAll(async () => {
      await s?.backend.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });
    const target = { type: 'netns' as const, netns: PAIR_NS[0], iface: PAIR_IF[0] };
    const start = async (format: 'pcap' | 'pcapng', filter = ''): Promise<CaptureInfo> => {
      const r = await s.backend.call('startCapture', { targets: [target], format, filter, output: { dir } });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.result;
    };
    /** The helper's fds that lead to a capture file, into the captures folder, or to a backend FIFO (…/vethscope-XXXX/NNNN-label.pcap). */
    const heldByHelperOf = (helperPid: number, files: string[]) => {
      const real = realpathSync(dir);
      return openFiles(helperPid).filter((f) => files.includes(f) || f.startsWith(`${real}/`) || /\/vethscope-[^/]+\/\d{4}-/.test(f));
    };
    const heldByHelper = (files: string[]) => heldByHelperOf(s.helper.helperPid!, files);

    it('MergedWriter, DirectWriter, the default pcapng writer: no fd of the helper leads to a capture file or FIFO, during or after a capture', async () => {
      // VETHSCOPE_PCAP_WRITER=merged: a second backend whose pcapng goes through the streaming MergedWriter.
      const merged = createServices({ env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/vsx-lim.sock', VETHSCOPE_PCAP_WRITER: 'merged' }, capturesDir: dir });
      const rows: string[] = [];
      const held: string[] = [];
      try {
        for (const [name, svc, format] of [['MergedWriter', merged, 'pcapng'], ['DirectWriter', s, 'pcap'], ['default pcapng writer', s, 'pcapng']] as const) {
          const r = await svc.backend.call('startCapture', { targets: [target], format, filter: 'icmp', output: { dir } });
          expect(r.ok, JSON.stringify(r)).toBe(true);
          if (!r.ok) continue;
          await ping(10, 0.02, 1000);
          await sleep(300);
          const helperPid = svc.helper.helperPid!;
          const during = heldByHelperOf(helperPid, r.result.files);
          const fdsDuring = openFiles(helperPid).length;
          const stop = await svc.backend.call('stopCapture', { id: r.result.id });
          expect(stop.ok, JSON.stringify(stop)).toBe(true);
          const after = heldByHelperOf(helperPid, r.result.files);
          const fin = stop.ok ? stop.result : r.result;
          let tshark: number | string;
          try {
            tshark = checkCaptureFile(fin.files[0]!).tshark;
          } catch (e) {
            tshark = `unreadable: ${(e as Error).message.slice(0, 80)}`;
          }
          held.push(...during, ...after);
          rows.push(`${name}: ${fin.packets} packets (tshark ${tshark}), helper fds ${fdsDuring}, on capture files or FIFOs ${during.length} during / ${after.length} after`);
        }
      } finally {
        await merged.backend.close();
      }
      const ok = held.length === 0 && rows.length === 3;
      record({ section: SECTION, check: 'the helper holds no fd on any capture file or FIFO (every writer), so it cannot be made to walk one', files: rows.length, detail: rows.join('; '), ok });
      expect(held).toEqual([]);
      expect(rows.length).toBe(3);
    });

    it('a DirectWriter capture whose file becomes a sparse 1 TB mid-capture still stops, the backend answering meanwhile, the helper idle', async () => {
      // Only our pings: tcpdump writes exactly 2 × (10 + 20) packets.
      const info = await start('pcap', 'icmp');
      const file = info.files[0]!;
      await ping(10, 0.02, 1000);
      await sleep(600);
      const helperPid = s.helper.helperPid!;
      // The user (here root, who owns the file) extends it to a sparse terabyte.
      sh('truncate', ['-s', '1T', file]);
      const helperTicks0 = cpuTicks(helperPid);
      let maxLagMs = 0;
      let last = Date.now();
      const lagTimer = setInterval(() => {
        const now = Date.now();
        maxLagMs = Math.max(maxLagMs, now - last - 20);
        last = now;
      }, 20);
      const latencies: number[] = [];
      let answered = 0;
      const traffic = ping(20, 0.05, 1000);
      try {
        for (let i = 0; i < 10; i++) {
          const t = Date.now();
          const r = await s.backend.call(i % 2 ? 'listCaptures' : 'getStatus', {});
          latencies.push(Date.now() - t);
          if (r.ok) answered++;
          await sleep(200);
        }
      } finally {
        await traffic;
      }
      const heldDuring = heldByHelper([file]);
      const helperTicks = cpuTicks(helperPid) - helperTicks0;
      const t1 = Date.now();
      const stop = await s.backend.call('stopCapture', { id: info.id });
      const stopMs = Date.now() - t1;
      clearInterval(lagTimer);
      const fin = stop.ok ? stop.result : null;
      const size = existsSync(file) ? statSync(file).size : -1;
      const heldAfter = heldByHelper([file]);
      const ok = answered === 10 && stop.ok && fin?.state === 'stopped' && fin.packets === 60 && heldDuring.length === 0 && heldAfter.length === 0;
      record({
        section: SECTION,
        check: 'DirectWriter file truncated to a sparse 1 TB mid-capture: stops when asked, backend answers, helper never reads it',
        faults: 1,
        files: 1,
        detail: `backend calls answered ${answered}/10 while the file was 1 TB (latency max ${Math.max(...latencies)} ms, median ${latencies.sort((a, b) => a - b)[5]} ms; event-loop lag max ${maxLagMs} ms); helper CPU meanwhile ${(helperTicks / CLK_TCK).toFixed(2)} s and fds on the file ${heldDuring.length}/${heldAfter.length}; stop answered in ${stopMs} ms: ${fin ? `${fin.state}/${fin.reason}, ${fin.packets} packets reported, file ${size} bytes after` : JSON.stringify(stop)}`,
        ok,
      });
      expect(answered).toBe(10);
      expect(stop.ok, JSON.stringify(stop)).toBe(true);
      expect(fin?.state).toBe('stopped');
      expect(fin?.packets, 'packets counted: what tcpdump wrote, not the zeros of the sparse tail').toBe(60);
      expect(heldDuring).toEqual([]);
      expect(heldAfter).toEqual([]);
    }, 120_000);
  });

  describe("root's reserved blocks: data is written by a process without CAP_SYS_RESOURCE", () => {
    let work: string;
    beforeAll(() => {
      work = mkdtempSync('/tmp/vsx-lim-ext4-');
      chmodSync(work, 0o755); // the user reaches the mounts inside
    });
    afterAll(() => {
      for (const m of readdirSync(work)) if (m.startsWith('mnt')) unmount(join(work, m));
      rmSync(work, { recursive: true, force: true });
    });

    it('tcpdump started by the helper for the user fills an ext4 with 50% reserved only to the user\'s limit', async () => {
      const mnt = join(work, 'mnt-direct');
      const { reserved } = reservedExt4(join(work, 'direct.img'), mnt, user);
      const c = new HelperClient({ elevation: 'root', uid: user.uid, gid: user.gid });
      try {
        const before = fsBlocks(mnt);
        const file = join(mnt, 'direct.pcap');
        const s = await c.request('startCapture', { captureId: cid(), ifaces: [{ netns: nsHandle(PAIR_NS[0]), iface: PAIR_IF[0], output: file }], filter: '', snaplen: 262144, maxDurationSec: 120 });
        // ≈ 14 MB of ICMP (120 × 60 kB each way), more than the whole file system.
        await ping(120, 0.02, 60_000);
        let last = -1;
        await waitFor('the file to stop growing', async () => {
          const size = statSync(file).size;
          const still = size === last;
          last = size;
          return still;
        }, 20_000, 500);
        const fin = await c.request('stopCapture', { captureId: s.captureId });
        const after = fsBlocks(mnt);
        const owner = statSync(file).uid;
        const size = statSync(file).size;
        const ok = after.avail * after.bsize < BIG_RECORD && after.free >= reserved && owner === user.uid;
        record({
          section: SECTION,
          check: 'helper-started tcpdump (as the user) into ext4 -m 50: stops at the user\'s limit, root\'s reserve untouched',
          files: 1,
          detail: `block ${before.bsize} B, reserved ${reserved}; before: avail ${before.avail} free ${before.free}; after: avail ${after.avail} free ${after.free} (reserve ${after.free >= reserved ? 'untouched' : `EATEN: ${reserved - after.free} blocks`}); file ${(size / 1e6).toFixed(2)} MB owned by uid ${owner}; tcpdump says ${fin.ifaces[0]?.captured} captured`,
          ok,
        });
        expect(after.avail * after.bsize, "bytes left to the user: not room for one more packet").toBeLessThan(BIG_RECORD);
        expect(after.free, "free blocks (root's reserve)").toBeGreaterThanOrEqual(reserved);
        expect(owner).toBe(user.uid);
      } finally {
        await c.close();
        unmount(mnt);
      }
    }, 90_000);

    // The MergedWriter is the backend itself: the whole CLI runs as the user, its helper through the
    // installed helper's group rule (sudo -n), exactly as a member of the capture group would run it.
    const GROUP = 'vsxlimcap';
    const CLI_BIN = resolve(ROOT, 'bin/vethscope.cjs');
    const why = (() => {
      for (const t of ['sudo', 'mkfs.ext4', 'tune2fs', 'setpriv', 'losetup']) if (shTry('which', [t]).status !== 0) return `${t} is not installed`;
      if (existsSync('/usr/lib/vethscope')) return 'an installed helper (/usr/lib/vethscope) is already there: not ours to replace or remove';
      return null;
    })();
    describe.skipIf(why !== null)(`the CLI as the user, helper installed for group ${GROUP} (${why ?? 'install-helper'})`, () => {
      let groupExisted = false;
      beforeAll(() => {
        execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
        groupExisted = shTry('getent', ['group', GROUP]).status === 0;
        const inst = shTry(process.execPath, [CLI_BIN, 'install-helper', '--group', GROUP]);
        if (inst.status !== 0) throw new Error(`install-helper failed: ${inst.stderr || inst.stdout}`);
        sh('usermod', ['-aG', GROUP, user.name]);
      }, 180_000);
      afterAll(() => {
        const rm = shTry(process.execPath, [CLI_BIN, 'install-helper', '--remove']);
        if (rm.status !== 0) console.log(`[limits] install-helper --remove: ${rm.stderr}`);
        shTry('gpasswd', ['-d', user.name, GROUP]);
        if (!groupExisted) shTry('groupdel', [GROUP]);
      });

      // VETHSCOPE_PCAP_WRITER=merged forces the streaming MergedWriter where pcapng would otherwise go to dumpcap.
      const writers = [
        { key: 'direct', format: 'pcap', env: {}, writer: 'DirectWriter: tcpdump writes' },
        { key: 'merged', format: 'pcapng', env: { VETHSCOPE_PCAP_WRITER: 'merged' }, writer: 'MergedWriter: the backend writes' },
        { key: 'default', format: 'pcapng', env: {}, writer: 'default pcapng writer (dumpcap when installed)' },
      ] as const;
      for (const { key, format, env: writerEnv, writer } of writers)
        it(`vethscope capture --format ${format} as the user (${writer}) into ext4 -m 50: disk-full at the user's limit, reserve untouched`, async () => {
          const mnt = join(work, `mnt-cli-${key}`);
          const { reserved } = reservedExt4(join(work, `cli-${key}.img`), mnt, user);
          try {
            const home = statSync(`/home/${user.name}`).isDirectory() ? `/home/${user.name}` : out;
            const argv = ['setpriv', '--reuid', user.name, '--regid', user.name, '--init-groups', '--', realpathSync(process.execPath), CLI_BIN, 'capture', `netns:${PAIR_NS[0]}:${PAIR_IF[0]}`, '--format', format, '--duration', '60', '-o', `${mnt}/`];
            const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, LANG: 'C', DOCKER_HOST: 'unix:///nonexistent/vsx-lim.sock', ...writerEnv };
            const cli = spawn(argv[0]!, argv.slice(1), { env, cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            cli.stdout.on('data', (d) => (stdout += d));
            cli.stderr.on('data', (d) => (stderr += d));
            const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
            await waitFor(`the CLI to start capturing (${stderr})`, () => /capturing .* into /.test(stderr) || cli.exitCode !== null, 60_000, 100);
            if (cli.exitCode === null) await ping(120, 0.02, 60_000);
            const code = await Promise.race([exited, sleep(60_000).then(() => 'timeout' as const)]);
            if (code === 'timeout') cli.kill('SIGINT');
            const after = fsBlocks(mnt);
            const file = stdout.trim().split('\n').pop() ?? '';
            const owner = file && existsSync(file) ? statSync(file).uid : -1;
            let tshark = -1;
            try {
              tshark = checkCaptureFile(file).tshark;
            } catch {
              /* reported below */
            }
            const ok = code === 1 && /DISK_FULL/.test(stderr) && after.avail * after.bsize < BIG_RECORD && after.free >= reserved && owner === user.uid && tshark > 0;
            record({
              section: SECTION,
              check: `vethscope capture --format ${format} run by the user (${writer}) into ext4 -m 50`,
              files: 1,
              detail: `exit ${code}; "${stderr.trim().split('\n').slice(-1)[0]?.slice(0, 120)}"; reserved ${reserved}, after: avail ${after.avail} free ${after.free} (reserve ${after.free >= reserved ? 'untouched' : 'EATEN'}); file owner uid ${owner}, tshark reads ${tshark} packets`,
              ok,
            });
            expect(code, stderr).toBe(1);
            expect(stderr).toMatch(/DISK_FULL/);
            expect(after.avail * after.bsize).toBeLessThan(BIG_RECORD);
            expect(after.free).toBeGreaterThanOrEqual(reserved);
            expect(owner).toBe(user.uid);
            expect(tshark).toBeGreaterThan(0);
          } finally {
            unmount(mnt);
          }
        }, 120_000);
    });
  });
});
