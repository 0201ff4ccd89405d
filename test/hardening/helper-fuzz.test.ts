// Section 1a: hostile input to the real privileged helper (node dist/helper.cjs, as root,
// invoked for an unprivileged user like sudo/pkexec would). A seeded fuzzer sends ≥ 10,000
// malformed or hostile lines; the helper must answer each with an error (or drop a blank
// line), never crash, never start a process for an invalid request, never write outside
// the capture folder.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record } from './metrics';
import { alive, checkCaptureFile, descendants, diffSnapshots, HELPER, isRoot, processes, prng, reapedChildFaults, SEED, sleep, snapshot, waitFor, type Rng } from './support';

const NOBODY = 65534;
const COUNT = Number(process.env.VETHSCOPE_FUZZ_COUNT ?? 10_000);
const NS = 'vsx-fz';

/** One helper process and everything it said. */
class HelperProc {
  readonly child: ChildProcessWithoutNullStreams;
  readonly replies: Array<Record<string, any>> = [];
  readonly events: Array<Record<string, any>> = [];
  readonly unparsable: string[] = [];
  stderr = '';
  private buf = '';
  exit: Promise<{ code: number | null; signal: string | null }>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [HELPER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (c) => (this.stderr = (this.stderr + c).slice(-65536)));
    this.child.stdout.on('data', (c: Buffer) => {
      this.buf += c.toString('utf8');
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        try {
          const m = JSON.parse(line);
          (m && typeof m === 'object' && 'event' in m ? this.events : this.replies).push(m);
        } catch {
          this.unparsable.push(line.slice(0, 200));
        }
      }
    });
    this.exit = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal })));
  }

  /** Write and wait for the pipe to drain (a 10 MB line must not pile up in our memory). */
  async write(data: string | Buffer): Promise<void> {
    if (!this.child.stdin.write(data)) await new Promise<void>((r) => this.child.stdin.once('drain', () => r()));
  }

  async call(id: number, op: string, params: unknown, timeoutMs = 20_000): Promise<Record<string, any>> {
    await this.write(JSON.stringify({ id, op, params }) + '\n');
    return waitFor(`reply ${id} to ${op}`, () => this.replies.find((r) => r.id === id), timeoutMs, 10);
  }
}

/** Lines a client would see as separate requests, counted exactly the way the helper splits them. */
function nonBlankLines(data: Buffer): number {
  let n = 0;
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    if (nl === -1) break;
    if (data.subarray(start, nl).toString('utf8').trim()) n++;
    start = nl + 1;
  }
  return n;
}

interface Ctx {
  canary: string;
  nobodyDir: string;
  capdir: string;
  legitId: string;
  ns: { inode: number; path: string };
}

const METAS = [
  'lo; touch /tmp/vsx-fz-pwned',
  '$(touch /tmp/vsx-fz-pwned)',
  '`touch /tmp/vsx-fz-pwned`',
  'eth0|tee /tmp/vsx-fz-pwned',
  'eth0\ntouch /tmp/vsx-fz-pwned',
  'eth0 && reboot',
  '-w/tmp/vsx-fz-pwned',
  '--version',
  '-z/bin/sh',
  '${IFS}id',
  "'; id; '",
  '../../../../etc/passwd',
  'eth0\r\nX: y',
  '%s%n%x',
  '\u202eeth0',
  'a'.repeat(17),
  '',
];
const OPS = ['hello', 'scanNamespaces', 'validateFilter', 'readCounters', 'startCapture', 'attachInterface', 'stopCapture', 'shutdown'];
const EVIL_OPS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype', 'HELLO', 'hello ', ' hello', 'hello\n', 'hello\u0000', 'startCapture;id', '$(reboot)', 'rm -rf /', 'x'.repeat(65), 'shutdown\u200b', 'dispatch', 'endAll', 'sessions', 'session', 'prune', 'emit'];
const WEIRD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), '', 'x', [], {}, [null], { a: 1 }, '\u0000', '1', 'NaN', '__proto__'];

function hostileString(r: Rng): string {
  switch (r.int(6)) {
    case 0:
      return r.pick(METAS);
    case 1:
      return r.pick(METAS) + '\u0000' + r.pick(METAS);
    case 2:
      return 'A'.repeat(r.pick([4097, 8193, 70_000, 300_000]));
    case 3:
      return Array.from({ length: r.int(40) }, () => String.fromCharCode(r.int(0x250))).join('');
    case 4:
      return r.pick(['__proto__', 'constructor', 'prototype', 'toString']);
    default:
      return String(r.next());
  }
}

/** startCapture params that are valid except where the caller says. */
function captureParams(c: Ctx, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    captureId: `vsx-fz-${Math.random().toString(16).slice(2, 10)}`,
    ifaces: [{ netns: c.ns, iface: 'lo', label: 'lo', comment: '' }],
    filter: '',
    snaplen: 65535,
    format: 'pcapng',
    path: join(c.capdir, 'existing.pcapng'), // refused (O_EXCL) unless a case overrides it
    sectionComment: '',
    stop: {},
    ring: null,
    ...over,
  };
}

/**
 * Paths no request may write: traversal, relative, NUL, symlinks in the capture folder
 * pointing elsewhere (final component: O_NOFOLLOW must refuse), existing files (O_EXCL),
 * places the invoking user (nobody) cannot write.
 */
function hostilePaths(c: Ctx): string[] {
  return [
    `${c.capdir}/../vsx-fz-escape.pcapng`,
    `${c.capdir}/./../../etc/vsx-fz.pcapng`,
    'relative.pcapng',
    '~/x.pcapng',
    `${c.capdir}/x\u0000.pcapng`,
    `${c.capdir}/link-dangling.pcapng`,
    `${c.capdir}/link-canary.pcapng`,
    `${c.capdir}/link-etc.pcapng`,
    `${c.capdir}/link-passwd.pcapng`,
    `${c.capdir}/existing.pcapng`,
    `${c.canary}/a.txt`,
    `${c.canary}/fresh.pcapng`, // root's folder: nobody may not create here
    '/etc/passwd',
    '/etc/vsx-fz-new.pcapng',
    '/root/vsx-fz-new.pcapng',
    '/proc/self/mem',
    '/dev/null',
    '/',
    '//',
    `${c.capdir}/missing-dir/x.pcapng`,
    `${c.capdir}/existing.pcapng/x`,
    `/etc/vsx-fz$(id).pcapng`,
    `/etc/vsx-fz\nX.pcapng`,
    '/' + 'a'.repeat(5000),
  ];
}

/** One hostile line (without its newline) and whether it must spawn nothing. */
function fuzzLine(r: Rng, c: Ctx, id: number): string {
  const env = (op: unknown, params: unknown) => JSON.stringify({ id, op, params });
  switch (r.int(16)) {
    case 0: {
      // random bytes, no newline
      const n = r.int(300);
      return Buffer.from(Array.from({ length: n }, () => (r.int(255) + 11) & 0xff).map((b) => (b === 0x0a ? 0x20 : b))).toString('latin1');
    }
    case 1: {
      // a valid request cut short
      const full = env(r.pick(OPS), captureParams(c));
      return full.slice(0, r.int(full.length));
    }
    case 2:
      return r.pick(['null', '1', '"hello"', '[]', 'true', '{}', '[{"id":1,"op":"hello","params":{}}]', '{"id":1,"op":"hello","params":{}}{"id":2}', '\ufeff{"id":1,"op":"hello","params":{}}', '{"id":1,"op":"hello","params":{},}']);
    case 3: // envelope with wrong types
      return JSON.stringify({ id: r.pick(WEIRD_VALUES.filter((v) => v !== 0)), op: r.chance(0.5) ? r.pick(WEIRD_VALUES) : 'hello', params: {} });
    case 4: // unknown or hostile op names
      return env(r.pick(EVIL_OPS), r.pick([{}, null, [], { filter: 'tcp' }]));
    case 5: // prototype pollution, as raw JSON (JSON.stringify would drop __proto__)
      return r.pick([
        `{"id":${id},"op":"hello","params":{"__proto__":{"polluted":1}}}`,
        `{"__proto__":{"op":"hello","params":{}},"id":${id}}`,
        `{"id":${id},"__proto__":{"op":"shutdown"}}`,
        `{"id":${id},"constructor":{"prototype":{"op":"hello","params":{}}}}`,
        `{"id":${id},"op":"validateFilter","params":{"filter":"","__proto__":{"linkType":"$(id)"}}}`,
        `{"id":${id},"op":"startCapture","params":{"__proto__":${JSON.stringify(captureParams(c))}}}`,
        `{"id":${id},"op":"stopCapture","params":{"captureId":"__proto__"},"__proto__":{"ok":true}}`,
        `{"id":${id},"op":"constructor","params":{"constructor":{"prototype":{"toString":1}}}}`,
      ]);
    case 6: {
      // deep nesting
      const depth = r.pick([100, 1000, 10_000, 100_000]);
      const [o, cl] = r.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
      return `{"id":${id},"op":"${r.pick(OPS)}","params":${o.repeat(depth)}1${cl.repeat(depth)}}`;
    }
    case 7: {
      // NUL bytes: raw in the line, escaped in every string field
      if (r.chance(0.3)) return env('hello', {}) + '\u0000';
      const key = r.pick(['filter', 'path', 'iface', 'label', 'captureId', 'sectionComment']);
      const v = `${r.pick(['lo', c.capdir + '/n.pcapng', 'tcp'])}\u0000${r.pick(METAS)}`;
      if (key === 'iface' || key === 'label') return env('startCapture', captureParams(c, { ifaces: [{ netns: null, iface: 'lo', label: 'lo', comment: '', [key]: v }] }));
      return env(r.pick(['startCapture', 'validateFilter']), key === 'filter' ? { filter: v } : captureParams(c, { [key]: v }));
    }
    case 8: // hostile interface names
      return env('startCapture', captureParams(c, { ifaces: [{ netns: r.chance(0.5) ? null : c.ns, iface: hostileString(r), label: 'x', comment: '' }] }));
    case 9: // hostile paths, otherwise valid: the file open must fail before any tcpdump
      return env('startCapture', captureParams(c, { path: r.pick(hostilePaths(c)), sectionComment: r.chance(0.3) ? hostileString(r) : '' }));
    case 10: // hostile labels/comments with a path that is refused: no process either
      return env('startCapture', captureParams(c, { path: r.pick(hostilePaths(c)), ifaces: [{ netns: c.ns, iface: 'lo', label: hostileString(r).slice(0, 256), comment: hostileString(r).slice(0, 4096) }] }));
    case 11: // ids of other captures
      return r.chance(0.5)
        ? env('stopCapture', { captureId: r.pick([c.legitId.toUpperCase(), `${c.legitId}x`, `../${c.legitId}`, '__proto__', 'constructor', 'toString', '', 'vsx-fz-00000000', c.legitId.slice(0, 8), hostileString(r).slice(0, 64)]) })
        : env('attachInterface', { captureId: r.pick([c.legitId, 'constructor', 'vsx-fz-other']), iface: { netns: r.pick([{ inode: 1 + r.int(1000), path: '/proc/1/ns/net' }, { inode: 7, path: '/run/netns/vsx-fz-missing' }, { inode: 7, path: '/run/netns/../../etc/passwd' }, { inode: 7, path: '/etc/shadow' }, { inode: -1, path: '/proc/1/ns/net' }]), iface: r.pick(['lo', 'eth0', ...METAS]), label: 'x', comment: '' } });
    case 12: // wrong types in every field
      return env(
        r.pick(['startCapture', 'validateFilter', 'readCounters', 'stopCapture', 'attachInterface']),
        // (a string filter is a legitimate request to compile it, which runs `tcpdump -d`: that is the filter test's job)
        r.chance(0.5) ? r.pick(WEIRD_VALUES) : ((k) => captureParams(c, { [k]: r.pick(k === 'filter' ? WEIRD_VALUES.filter((v) => typeof v !== 'string') : WEIRD_VALUES) }))(r.pick(['captureId', 'ifaces', 'filter', 'snaplen', 'format', 'path', 'stop', 'ring', 'extra'])),
      );
    case 13: // numbers out of range (1e400 parses as Infinity)
      return `{"id":${id},"op":"startCapture","params":${JSON.stringify(captureParams(c)).replace('"snaplen":65535', `"snaplen":${r.pick(['1e400', '-1', '0.5', '262145', '63', '-0', '1e-400'])}`)}}`;
    case 14: // readCounters with hostile namespace lists
      return env('readCounters', { namespaces: r.pick([Array.from({ length: 4097 }, () => c.ns), [{ inode: 1, path: '/etc/shadow' }], [{ inode: 1, path: '/proc/self/ns/net' }], [{ inode: 1, path: '/run/netns/../x' }], 'all', [c.ns.path]]) });
    default: // valid op, strict params with an extra key (including ones that look privileged)
      return env(r.pick(['hello', 'scanNamespaces', 'shutdown']), { [r.pick(['uid', 'user', 'invokingUid', 'force', 'argv', 'env'])]: r.pick([0, 'root', ['--user', '0:0'], { PATH: '/tmp' }]) });
  }
}

describe.skipIf(!isRoot)('1a. hostile input to the privileged helper', () => {
  let canary: string;
  let capdir: string;
  let h: HelperProc;
  let ctx: Ctx;
  const seenChildren = new Map<number, string>();
  let watcher: NodeJS.Timeout | null = null;

  beforeAll(async () => {
    expect(existsSync(HELPER), `${HELPER} is built`).toBe(true);
    // Canary folder (root's, 0755) with a folder the invoking user may write (so only
    // O_NOFOLLOW/O_EXCL stand between a symlink and it) and files the fuzzer aims at.
    canary = mkdtempSync('/tmp/vsx-canary-');
    chmodSync(canary, 0o755); // traversable by the invoking user: only the helper's own checks protect it
    writeFileSync(join(canary, 'a.txt'), 'canary\n');
    const nobodyDir = join(canary, 'nobody');
    mkdirSync(nobodyDir);
    chownSync(nobodyDir, NOBODY, NOBODY);
    writeFileSync(join(nobodyDir, 'b.pcapng'), 'canary\n');
    chownSync(join(nobodyDir, 'b.pcapng'), NOBODY, NOBODY);
    capdir = mkdtempSync('/tmp/vsx-capdir-');
    chownSync(capdir, NOBODY, NOBODY);
    symlinkSync(join(nobodyDir, 'created-through-link.pcapng'), join(capdir, 'link-dangling.pcapng'));
    symlinkSync(join(nobodyDir, 'b.pcapng'), join(capdir, 'link-canary.pcapng'));
    symlinkSync('/etc/vsx-fz-link-target', join(capdir, 'link-etc.pcapng'));
    symlinkSync('/etc/passwd', join(capdir, 'link-passwd.pcapng'));
    writeFileSync(join(capdir, 'existing.pcapng'), 'canary\n');
    chownSync(join(capdir, 'existing.pcapng'), NOBODY, NOBODY);
    // Our own namespace for the one legitimate capture (its lo: traffic stays inside it).
    spawnQuiet('ip', ['netns', 'del', NS]);
  }, 60_000);

  afterAll(async () => {
    if (watcher) clearInterval(watcher);
    if (h && alive(h.child.pid!)) h.child.kill('SIGKILL');
    spawnQuiet('ip', ['netns', 'del', NS]);
    rmSync(canary, { recursive: true, force: true });
    rmSync(capdir, { recursive: true, force: true });
  });

  it(`answers ${COUNT} seeded hostile lines with errors, spawns nothing, writes nothing, survives`, async () => {
    spawnQuiet('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    const nsPath = `/run/netns/${NS}`;
    const nsHandle = { inode: statSync(nsPath).ino, path: nsPath };

    h = new HelperProc(['--user', `${NOBODY}:${NOBODY}`]);
    const hello = await h.call(1, 'hello', {});
    expect(hello.ok, JSON.stringify(hello)).toBe(true);
    const pid = hello.result.pid as number;
    expect(pid).toBe(h.child.pid);
    expect(hello.result.invokingUid).toBe(NOBODY);

    // One legitimate capture runs throughout: its id is the "other capture" the fuzzer aims at.
    const legitId = 'vsx-fz-legit-0001';
    const legitFile = join(capdir, 'legit.pcapng');
    const started = await h.call(2, 'startCapture', { captureId: legitId, ifaces: [{ netns: nsHandle, iface: 'lo', label: 'vsx-fz/lo', comment: '' }], filter: '', snaplen: 65535, format: 'pcapng', path: legitFile, sectionComment: 'hardening', stop: {}, ring: null });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    const legitPids = new Set(descendants(pid).map((p) => p.pid));
    expect(legitPids.size).toBeGreaterThan(0);
    ctx = { canary, nobodyDir: join(canary, 'nobody'), capdir, legitId, ns: nsHandle };

    const before = { canary: snapshot(canary, 3), capdir: snapshot(capdir, 1), tmp: new Set(readdirSync('/tmp')), etc: new Set(readdirSync('/etc')) };
    const faults0 = reapedChildFaults(pid);
    // Poll for children besides the legit tcpdump (a backstop; cminflt is the exact one).
    watcher = setInterval(() => {
      for (const p of descendants(pid)) if (!legitPids.has(p.pid)) seenChildren.set(p.pid, p.argv.join(' ').slice(0, 200));
    }, 15);

    const rng = prng(SEED);
    let sent = 0;
    let expected = 0;
    let id = 1000;
    const t0 = Date.now();
    while (sent < COUNT) {
      const batch: string[] = [];
      const per = process.env.VETHSCOPE_FUZZ_DEBUG ? 1 : 250;
      for (let i = 0; i < per && sent < COUNT; i++, sent++) batch.push(fuzzLine(rng, ctx, ++id));
      const fBefore = reapedChildFaults(pid);
      const data = Buffer.from(batch.join('\n') + '\n', 'utf8');
      expected += nonBlankLines(data);
      await h.write(data);
      // Pace ourselves to the helper: wait until it caught up with this batch.
      const want = expected + 2;
      await waitFor(`replies to ${expected} lines`, () => h.replies.length >= want, 60_000, 5);
      if (process.env.VETHSCOPE_FUZZ_DEBUG && reapedChildFaults(pid) !== fBefore) console.log('CHILD after', batch[0]!.slice(0, 600), JSON.stringify(h.replies[h.replies.length - 1]).slice(0, 300));
    }
    // 10 MB lines (and one just over the limit), each answered with one id-less error.
    const big = [10 << 20, 10 << 20, (1 << 20) + 1, 3 << 20];
    for (const size of big) {
      await h.write(`{"id":${++id},"op":"hello","params":{},"pad":"`);
      const chunk = Buffer.alloc(1 << 20, 'A');
      for (let left = size; left > 0; left -= chunk.length) await h.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
      await h.write('"}\n');
      expected++;
      sent++;
    }
    await waitFor('all replies', () => h.replies.length >= expected + 2, 120_000, 20);
    const fuzzMs = Date.now() - t0;
    await sleep(300);
    clearInterval(watcher);
    watcher = null;
    const faults1 = reapedChildFaults(pid);

    // Pollution probe: an envelope without op must still be refused as malformed.
    const probe = await h.call(900_001, 'hello', {});
    await h.write(`{"id":900002}\n`);
    const noOp = await waitFor('reply 900002', () => h.replies.find((r) => r.id === 900002), 10_000, 10);

    const after = { canary: snapshot(canary, 3), capdir: snapshot(capdir, 1), tmp: new Set(readdirSync('/tmp')), etc: new Set(readdirSync('/etc')) };
    const fuzzReplies = h.replies.slice(2).filter((r) => r.id !== 900_001 && r.id !== 900_002);
    const accepted = fuzzReplies.filter((r) => r.ok !== false);
    const codes = new Map<string, number>();
    for (const r of fuzzReplies) codes.set(r.error?.code ?? 'ok', (codes.get(r.error?.code ?? 'ok') ?? 0) + 1);
    const canaryDiff = diffSnapshots(before.canary, after.canary);
    const capdirDiff = diffSnapshots(before.capdir, after.capdir).filter((d) => !d.endsWith('/legit.pcapng') && d !== `~ ${capdir}`);
    const tmpNew = [...after.tmp].filter((n) => !before.tmp.has(n) && /vsx-fz|pwned/.test(n));
    const etcNew = [...after.etc].filter((n) => !before.etc.has(n));
    const linkTarget = existsSync(join(canary, 'nobody', 'created-through-link.pcapng'));

    // The legitimate capture survived all of it, and its file is whole.
    const stop = await h.call(900_003, 'stopCapture', { captureId: legitId });
    const legit = checkCaptureFile(legitFile);
    const lost = Math.abs((stop.result?.packets ?? -1) - legit.tshark);
    const lastStats = [...h.events].reverse().find((e) => e.event === 'captureStats' && e.data?.captureId === legitId);
    const deadIfaces = (lastStats?.data?.ifaces ?? []).filter((f: any) => f.ended === null).length;

    const detail = `seed=${SEED} sent=${sent} lines=${expected} replies=${fuzzReplies.length} accepted=${accepted.length} codes=${JSON.stringify(Object.fromEntries(codes))} ` +
      `spawned=${seenChildren.size} reapedChildFaults=${faults1 - faults0} canaryChanges=${canaryDiff.length} helperPid=${pid}→${probe.result?.pid} ${Math.round((expected / fuzzMs) * 1000)} lines/s stderr=${h.stderr.length}B legitIfacesInStats=${lastStats?.data?.ifaces?.length} neverEnded=${deadIfaces}`;
    const ok =
      fuzzReplies.length === expected && accepted.length === 0 && h.unparsable.length === 0 && seenChildren.size === 0 && faults1 === faults0 && canaryDiff.length === 0 && capdirDiff.length === 0 && tmpNew.length === 0 && etcNew.length === 0 && !linkTarget && probe.result?.pid === pid && noOp.ok === false && stop.ok && lost === 0;
    record({ section: '1 hostile input', check: 'helper: seeded fuzz over stdin (nobody as invoker)', inputs: sent, files: 1, lost, detail, ok });

    expect(fuzzReplies.length, 'one reply per non-blank line').toBe(expected);
    expect(accepted.map((r) => JSON.stringify(r).slice(0, 200)), 'no hostile request accepted').toEqual([]);
    expect(h.unparsable, 'every output line is JSON').toEqual([]);
    expect([...seenChildren.values()], 'no process started for an invalid request').toEqual([]);
    expect(faults1 - faults0, 'no child reaped (cminflt unchanged)').toBe(0);
    expect(canaryDiff, 'canary folder untouched').toEqual([]);
    expect(capdirDiff, 'capture folder: only the legitimate file changed').toEqual([]);
    expect(linkTarget, 'nothing created through a symlink').toBe(false);
    expect(tmpNew, '/tmp: nothing the fuzzer named').toEqual([]);
    expect(etcNew, '/etc untouched').toEqual([]);
    expect(probe.ok && probe.result.pid).toBe(pid);
    expect(noOp.ok, 'an envelope without op is still refused (no prototype pollution)').toBe(false);
    expect(stop.ok, JSON.stringify(stop)).toBe(true);
    expect(stop.result.reason).toBe('user');
    expect(lost).toBe(0);
    expect(h.stderr, 'no uncaught exception logged').not.toMatch(/vethscope-helper: .*Error/);
  });

  it('refuses hostile BPF filters by compiling them only (tcpdump -d), never running a shell', async () => {
    const pid = h.child.pid!;
    const rng = prng(SEED + 1);
    const n = Number(process.env.VETHSCOPE_FUZZ_FILTERS ?? 120);
    const pwned = join(canary, 'pwned');
    const filters = [
      `tcp; touch ${pwned}`,
      `$(touch ${pwned})`,
      `\`touch ${pwned}\``,
      `tcp | tee ${pwned}`,
      `tcp\ntouch ${pwned}`,
      `-w ${pwned}`,
      `-z /bin/sh`,
      `tcp && touch ${pwned}`,
      `tcp > ${pwned}`,
      `' or 1=1 --`,
      `port 80 or $(id)`,
      `not ( ${'('.repeat(2000)}`,
      '%s%s%s%n',
    ];
    const seen = new Map<number, string>();
    const watch = setInterval(() => {
      // (an empty command line: caught inside execve; the next poll sees what it became)
      for (const p of descendants(pid)) if (p.argv.length || !seen.has(p.pid)) seen.set(p.pid, p.argv.join(' ').slice(0, 300));
    }, 10);
    const replies: Array<Record<string, any>> = [];
    let id = 800_000;
    for (let i = 0; i < n; i++) {
      const filter = rng.pick(filters) + (rng.chance(0.3) ? ` ${rng.int(1000)}` : '');
      if (rng.chance(0.5)) replies.push(await h.call(++id, 'validateFilter', { filter, ...(rng.chance(0.2) ? { linkType: rng.pick(['EN10MB', '$(id)', 'EN10MB;id', 'X'.repeat(33)]) } : {}) }));
      else replies.push(await h.call(++id, 'startCapture', captureParams(ctx, { filter, path: join(capdir, `never-${i}.pcapng`) })));
    }
    clearInterval(watch);
    // A child caught between fork and exec still shows the helper's own command line.
    const selfArgv = processes().find((p) => p.pid === pid)?.argv.join(' ').slice(0, 300);
    const notCompile = [...seen.values()].filter((a) => a !== '' && a !== selfArgv && !/(^|\/)tcpdump -d -y [A-Z0-9_]+ -- /.test(a));
    const accepted = replies.filter((r) => r.ok !== false);
    const codes = [...new Set(replies.map((r) => r.error?.code))];
    const files = readdirSync(capdir).filter((f) => f.startsWith('never-'));
    const ok = accepted.length === 0 && notCompile.length === 0 && !existsSync(pwned) && files.length === 0 && alive(pid);
    record({ section: '1 hostile input', check: 'helper: shell metacharacters in BPF filters', inputs: n, detail: `codes=${codes.join(',')} compiles observed=${seen.size} other processes=${notCompile.length}${notCompile.length ? ` (${notCompile[0]})` : ''}`, ok });
    expect(accepted.map((r) => JSON.stringify(r).slice(0, 200))).toEqual([]);
    expect(notCompile, 'only `tcpdump -d` ran').toEqual([]);
    expect(existsSync(pwned)).toBe(false);
    expect(files, 'no capture file left for a refused filter').toEqual([]);
    expect(codes.every((c) => c === 'BAD_FILTER' || c === 'INVALID_INPUT'), codes.join()).toBe(true);
  });

  it('a symlinked folder inside the capture folder (intermediate component) is followed: observed, see docs/security.md', async () => {
    // O_NOFOLLOW guards only the last component. This probe measures what happens when a
    // folder in the path is a symlink to another folder the invoking user may write.
    const pid = h.child.pid!;
    symlinkSync(join(canary, 'nobody'), join(capdir, 'linkdir'));
    const before = snapshot(join(canary, 'nobody'), 1);
    const r = await h.call(800_999, 'startCapture', captureParams(ctx, { path: join(capdir, 'linkdir', 'through-dir-link.pcapng') }));
    let stopped: Record<string, any> | null = null;
    if (r.ok) stopped = await h.call(801_000, 'stopCapture', { captureId: r.result.captureId });
    const landed = existsSync(join(canary, 'nobody', 'through-dir-link.pcapng'));
    const changed = diffSnapshots(before, snapshot(join(canary, 'nobody'), 1));
    rmSync(join(capdir, 'linkdir'));
    record({
      section: '1 hostile input',
      check: 'helper: symlinked directory component (finding, not a privilege escalation: the file is created as the invoking user)',
      inputs: 1,
      detail: `accepted=${r.ok}${r.ok ? '' : ` (${r.error?.code}: ${r.error?.message})`} landed outside capture folder=${landed} changes=${changed.length}${stopped ? ` stop=${stopped.ok}` : ''}`,
      ok: alive(pid),
    });
    expect(alive(pid)).toBe(true);
  });

  it('exits cleanly when its client goes away, leaving no process behind', async () => {
    const pid = h.child.pid!;
    const kids = descendants(pid).map((p) => p.pid);
    h.child.stdin.end();
    const ex = await Promise.race([h.exit, sleep(3000).then(() => null)]);
    await sleep(200);
    const left = kids.filter((k) => alive(k));
    const ok = ex !== null && ex.code === 0 && left.length === 0 && !processes().some((p) => p.pid === pid);
    record({ section: '1 hostile input', check: 'helper: stdin closed after the fuzz: exit 0 within 2 s, no children left', faults: 1, detail: `exit=${JSON.stringify(ex)} children left=${left.length}`, ok });
    expect(ex).not.toBeNull();
    expect(ex!.code).toBe(0);
    expect(left).toEqual([]);
  });
});

function spawnQuiet(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    /* best effort */
  }
}
