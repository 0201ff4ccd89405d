// Section 1a: hostile input to the real privileged helper (node dist/helper.cjs, as root, invoked
// for an unprivileged user like sudo/pkexec would), protocol v2. A seeded fuzzer sends ≥ 10,000
// malformed or hostile lines; the helper must answer each with an error (or drop a blank line),
// never crash, never start a capture for an invalid request, never write anything. Then: hostile
// BPF filters are only compiled (as the user, never a shell); output paths are opened by tcpdump
// as the user, so the kernel refuses what that user may not write (symlinks included); the helper
// exits cleanly when its client goes away.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HelperReply, helperEvents, helperOps, type HelperOp } from '../../shared/helper-protocol';
import type { ErrorCode } from '../../shared/result';
import { record } from './metrics';
import { alive, buildHelperBundle, checkCaptureFile, descendants, diffSnapshots, HelperProc, isRoot, processes, procStatus, prng, reapedChildFaults, SEED, sleep, snapshot, waitFor, type Rng } from './support';

const NOBODY = 65534;
const COUNT = Number(process.env.VETHSCOPE_FUZZ_COUNT ?? 10_000);
const NS = 'vsx-fz';
/** A real interface of NS nobody captures: requests naming it get past the duplicate check. */
const SPARE = 'vsxfz0';
/** Lines per batch: small, so most batches start no interface lookup and must leave cminflt unchanged. */
const BATCH = 25;

/** Every code the helper may answer with; `satisfies` keeps this list equal to shared/result.ts. */
const ERROR_CODES = {
  INVALID_INPUT: 1, NOT_FOUND: 1, AMBIGUOUS: 1, DOCKER_UNAVAILABLE: 1, HELPER_UNAVAILABLE: 1, HELPER_REFUSED: 1, HELPER_DIED: 1,
  PERMISSION_DENIED: 1, BAD_FILTER: 1, ALREADY_STOPPED: 1, TARGET_GONE: 1, DISK_FULL: 1, UNSUPPORTED: 1, INTERNAL: 1,
} satisfies Record<ErrorCode, 1>;

/** Why a reply does not follow protocol v2 (null: it does). Successful replies are checked against their op's result schema. */
function replyProblem(r: Record<string, any>, op?: HelperOp): string | null {
  const env = HelperReply.safeParse(r);
  if (!env.success || 'event' in r) return `not a reply: ${JSON.stringify(r).slice(0, 200)}`;
  if (r.ok === false) return Object.hasOwn(ERROR_CODES, r.error.code) && r.error.message.length > 0 ? null : `unknown error code ${r.error.code}`;
  if (!op) return 'an ok reply to a hostile line';
  const res = helperOps[op].result.safeParse(r.result);
  return res.success ? null : `${op} result does not match its schema: ${res.error.issues[0]?.message}`;
}

/** Events must follow their schemas too. */
function eventProblems(events: Array<Record<string, any>>): string[] {
  return events.flatMap((e) => {
    const schema = helperEvents[e.event as keyof typeof helperEvents];
    if (!schema) return [`unknown event ${e.event}`];
    const r = schema.safeParse(e.data);
    return r.success ? [] : [`${e.event}: ${r.error.issues[0]?.message}`];
  });
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

/** An interface lookup (`ip -o link show dev NAME`, maybe through nsenter): the one process a well-formed but unknown name may start. */
const LOOKUP = /(^|\/)(nsenter --net=\/proc\/self\/fd\/3 -- \S*)?ip -o link show dev \S+$/;
const isLookupReply = (r: Record<string, any>) => r.ok === false && r.error?.code === 'NOT_FOUND' && /has no interface/.test(r.error.message);

interface Ctx {
  canary: string;
  nobodyDir: string;
  capdir: string;
  legitId: string;
  ns: { inode: number; path: string };
}

const OPS = Object.keys(helperOps) as HelperOp[];
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
/** libpcap pseudo-devices and names with ':' (never a Linux interface): refused before any lookup. */
const PSEUDO = ['any', 'nflog', 'nflog:5', 'nfqueue', 'nfqueue:1', 'dbus-system', 'dbus-session', 'usbmon0', 'usbmon', 'bluetooth0', 'bluetooth-monitor', 'eth0:1', 'netmap:eth0', 'dpdk:0', 'rdma0'];
/** Removed (validateFilter was v1) or never there, and names that look like internals. */
const EVIL_OPS = ['validateFilter', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype', 'HELLO', 'hello ', ' hello', 'hello\n', 'hello\u0000', 'startCapture;id', '$(reboot)', 'rm -rf /', 'x'.repeat(65), 'shutdown\u200b', 'dispatch', 'endAll', 'captures', 'vet', 'prune', 'emit', 'liveTcpdumps'];
/** Fields of protocol v1's startCapture: a v2 helper must refuse every one (strict schema). */
const V1_FIELDS: Record<string, unknown> = { label: 'x', comment: '', format: 'pcapng', path: '/tmp/vsx-fz-v1.pcapng', sectionComment: '', stop: {}, ring: null, writer: 'tcpdump', keepAliveSec: 5 };
const WEIRD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), '', 'x', [], {}, [null], { a: 1 }, '\u0000', '1', 'NaN', '__proto__'];

function hostileString(r: Rng): string {
  switch (r.int(7)) {
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
    case 5:
      return r.pick(PSEUDO);
    default:
      return String(r.next());
  }
}

/**
 * startCapture params that are valid except for one thing: they name the interface the legitimate
 * capture holds, so the duplicate check refuses them before anything runs, unless a case overrides it.
 */
function captureParams(c: Ctx, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    captureId: `vsx-fz-${Math.random().toString(16).slice(2, 10)}`,
    ifaces: [{ netns: c.ns, iface: 'lo', output: join(c.capdir, 'never.pcap') }],
    filter: '',
    snaplen: 65535,
    maxDurationSec: 60,
    ...over,
  };
}

/** Outputs the schema itself must refuse: relative, `..`, NUL, too long, not a string. */
function schemaRefusedPaths(c: Ctx): unknown[] {
  return [
    `${c.capdir}/../vsx-fz-escape.pcap`,
    `${c.capdir}/./../../etc/vsx-fz.pcap`,
    'relative.pcap',
    '~/x.pcap',
    '',
    `${c.capdir}/x\u0000.pcap`,
    '/' + 'a'.repeat(5000),
    null,
    42,
    ['/tmp/x'],
  ];
}

/** One hostile line (without its newline). */
function fuzzLine(r: Rng, c: Ctx, id: number): string {
  const env = (op: unknown, params: unknown) => JSON.stringify({ id, op, params });
  const spare = (over: Record<string, unknown> = {}) => ({ netns: c.ns, iface: SPARE, output: join(c.capdir, 'never.pcap'), ...over });
  switch (r.int(17)) {
    case 0: {
      // random bytes, no newline
      const n = r.int(300);
      return Buffer.from(Array.from({ length: n }, () => (r.int(255) + 11) & 0xff).map((b) => (b === 0x0a ? 0x20 : b))).toString('latin1');
    }
    case 1: {
      // a valid-looking request cut short
      const full = env(r.pick(OPS), captureParams(c));
      return full.slice(0, r.int(full.length));
    }
    case 2:
      return r.pick(['null', '1', '"hello"', '[]', 'true', '{}', '[{"id":1,"op":"hello","params":{}}]', '{"id":1,"op":"hello","params":{}}{"id":2}', '\ufeff{"id":1,"op":"hello","params":{}}', '{"id":1,"op":"hello","params":{},}']);
    case 3: // envelope with wrong types
      return JSON.stringify({ id: r.pick(WEIRD_VALUES.filter((v) => v !== 0)), op: r.chance(0.5) ? r.pick(WEIRD_VALUES) : 'hello', params: {} });
    case 4: // unknown, removed or hostile op names
      return env(r.pick(EVIL_OPS), r.pick([{}, null, [], { filter: 'tcp' }]));
    case 5: // prototype pollution, as raw JSON (JSON.stringify would drop __proto__)
      return r.pick([
        `{"id":${id},"op":"hello","params":{"__proto__":{"polluted":1}}}`,
        `{"__proto__":{"op":"hello","params":{}},"id":${id}}`,
        `{"id":${id},"__proto__":{"op":"shutdown"}}`,
        `{"id":${id},"constructor":{"prototype":{"op":"hello","params":{}}}}`,
        `{"id":${id},"op":"startCapture","params":{"__proto__":${JSON.stringify(captureParams(c, { ifaces: [spare()] }))}}}`,
        `{"id":${id},"op":"startCapture","params":${JSON.stringify(captureParams(c, { ifaces: [spare()] })).replace(/}$/, ',"__proto__":{"uid":0}}')}}`,
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
      // NUL bytes: raw in the line, escaped in every string field (a spare interface, so only the NUL can refuse it)
      if (r.chance(0.3)) return env('hello', {}) + '\u0000';
      const key = r.pick(['filter', 'output', 'iface', 'captureId']);
      const v = `${r.pick(['lo', c.capdir + '/n.pcap', 'tcp'])}\u0000${r.pick(METAS)}`;
      if (key === 'iface' || key === 'output') return env('startCapture', captureParams(c, { ifaces: [spare({ [key]: v })] }));
      return env('startCapture', captureParams(c, { ifaces: [spare()], [key]: v }));
    }
    case 8: // hostile interface names (pseudo-devices included), in the host and in our namespace
      return env('startCapture', captureParams(c, { ifaces: [{ netns: r.chance(0.5) ? null : c.ns, iface: hostileString(r), output: join(c.capdir, 'never.pcap') }] }));
    case 9: // outputs the schema refuses, on an interface that would otherwise start
      return env('startCapture', captureParams(c, { ifaces: [spare({ output: r.pick(schemaRefusedPaths(c)) })] }));
    case 10: // a v1 client's fields on an otherwise valid v2 request: strict schemas refuse them
      return env('startCapture', { ...captureParams(c, { ifaces: [spare(r.chance(0.3) ? { label: 'x', comment: '' } : {})] }), ...Object.fromEntries([r.pick(Object.entries(V1_FIELDS))]) });
    case 11: // ids of other captures, hostile namespace handles
      return r.chance(0.5)
        ? env('stopCapture', { captureId: r.pick([c.legitId.toUpperCase(), `${c.legitId}x`, `../${c.legitId}`, '__proto__', 'constructor', 'toString', '', 'vsx-fz-00000000', c.legitId.slice(0, 8), hostileString(r).slice(0, 64)]) })
        : env('attachInterface', {
            captureId: r.pick([c.legitId, 'constructor', 'vsx-fz-other']),
            iface: { netns: r.pick([{ inode: 1 + r.int(1000), path: '/proc/1/ns/net' }, { inode: 7, path: '/run/netns/vsx-fz-missing' }, { inode: 7, path: '/run/netns/../../etc/passwd' }, { inode: 7, path: '/etc/shadow' }, { inode: -1, path: '/proc/1/ns/net' }, { inode: c.ns.inode + 1, path: c.ns.path }]), iface: r.pick(['lo', SPARE, ...METAS]), output: join(c.capdir, 'never.pcap') },
          });
    case 12: // wrong types in every field
      return env(
        r.pick(['startCapture', 'readCounters', 'stopCapture', 'attachInterface', 'listContainers']),
        // (a string filter with a spare interface is a legitimate request to compile it: that is the filter test's job)
        r.chance(0.5) ? r.pick(WEIRD_VALUES) : ((k) => captureParams(c, { [k]: r.pick(k === 'filter' ? WEIRD_VALUES.filter((v) => typeof v !== 'string') : WEIRD_VALUES) }))(r.pick(['captureId', 'ifaces', 'filter', 'snaplen', 'maxDurationSec', 'packetCount', 'immediate', 'extra'])),
      );
    case 13: {
      // numbers out of range (1e400 parses as Infinity), on the spare interface
      const base = JSON.stringify(captureParams(c, { ifaces: [spare()] }));
      return r.chance(0.5)
        ? `{"id":${id},"op":"startCapture","params":${base.replace('"snaplen":65535', `"snaplen":${r.pick(['1e400', '-1', '0.5', '262145', '63', '-0', '1e-400'])}`)}}`
        : `{"id":${id},"op":"startCapture","params":${base.replace('"maxDurationSec":60', `"maxDurationSec":${r.pick(['0', '-1', '1.5', '604801', '1e400', '"60"', 'null'])}`)}}`;
    }
    case 14: // readCounters with hostile namespace lists
      return env('readCounters', { namespaces: r.pick([Array.from({ length: 4097 }, () => c.ns), [{ inode: 1, path: '/etc/shadow' }], [{ inode: 1, path: '/proc/self/ns/net' }], [{ inode: 1, path: '/run/netns/../x' }], 'all', [c.ns.path]]) });
    case 15: // limits the schema enforces: more than 64 interfaces, -c with two interfaces, a filter over 4096
      return env(
        'startCapture',
        r.pick([
          captureParams(c, { ifaces: Array.from({ length: 65 }, (_, i) => spare({ output: join(c.capdir, `m${i}.pcap`) })) }),
          captureParams(c, { ifaces: [spare(), { netns: null, iface: 'lo', output: join(c.capdir, 'l.pcap') }], packetCount: 5 }),
          captureParams(c, { ifaces: [spare()], filter: 'tcp or '.repeat(700) }),
          captureParams(c, { ifaces: [] }),
        ]),
      );
    default: // valid op, strict params with an extra key (including ones that look privileged)
      return env(r.pick(['hello', 'scanNamespaces', 'shutdown']), { [r.pick(['uid', 'user', 'invokingUid', 'force', 'argv', 'env'])]: r.pick([0, 'root', ['--user', '0:0'], { PATH: '/tmp' }]) });
  }
}

describe.skipIf(!isRoot)('1a. hostile input to the privileged helper', () => {
  let canary: string;
  let capdir: string;
  let h: HelperProc;
  let ctx: Ctx;
  let nextId = 700_000;

  beforeAll(async () => {
    buildHelperBundle();
    // Canary folder (root's, 0755) holding a folder the invoking user may write and files the fuzzer aims at.
    canary = mkdtempSync('/tmp/vsx-canary-');
    chmodSync(canary, 0o755); // traversable by the invoking user: only the kernel's check on nobody protects it
    writeFileSync(join(canary, 'a.txt'), 'canary\n');
    const nobodyDir = join(canary, 'nobody');
    mkdirSync(nobodyDir);
    chownSync(nobodyDir, NOBODY, NOBODY);
    writeFileSync(join(nobodyDir, 'b.pcapng'), 'canary\n');
    chownSync(join(nobodyDir, 'b.pcapng'), NOBODY, NOBODY);
    capdir = mkdtempSync('/tmp/vsx-capdir-');
    chownSync(capdir, NOBODY, NOBODY);
    symlinkSync(join(nobodyDir, 'created-through-link.pcap'), join(capdir, 'link-dangling.pcap'));
    symlinkSync(join(nobodyDir, 'b.pcapng'), join(capdir, 'link-canary.pcap'));
    symlinkSync('/etc/vsx-fz-link-target', join(capdir, 'link-etc.pcap'));
    symlinkSync('/etc/passwd', join(capdir, 'link-passwd.pcap'));
    writeFileSync(join(capdir, 'existing.pcap'), 'canary\n');
    chownSync(join(capdir, 'existing.pcap'), NOBODY, NOBODY);
    // Our own namespace: lo for the one legitimate capture, a veth pair for requests that must get past the duplicate check.
    spawnQuiet('ip', ['netns', 'del', NS]);
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    execFileSync('ip', ['-n', NS, 'link', 'add', SPARE, 'type', 'veth', 'peer', 'name', 'vsxfz1']);
    for (const i of [SPARE, 'vsxfz1']) execFileSync('ip', ['-n', NS, 'link', 'set', i, 'up']);
  }, 60_000);

  afterAll(async () => {
    if (h && alive(h.pid)) h.child.kill('SIGKILL');
    spawnQuiet('ip', ['netns', 'del', NS]);
    rmSync(canary, { recursive: true, force: true });
    rmSync(capdir, { recursive: true, force: true });
  });

  it(`answers ${COUNT} seeded hostile lines with errors, starts no capture, writes nothing, survives`, async () => {
    const nsPath = `/run/netns/${NS}`;
    const nsHandle = { inode: statSync(nsPath).ino, path: nsPath };

    h = new HelperProc(['--user', `${NOBODY}:${NOBODY}`]);
    const hello = await h.call(1, 'hello', {});
    expect(replyProblem(hello, 'hello')).toBeNull();
    const pid = hello.result.pid as number;
    expect(pid).toBe(h.pid);
    expect(hello.result).toMatchObject({ version: 2, uid: 0, invokingUid: NOBODY });

    // One legitimate capture runs throughout: its interface is the duplicate most requests name, its id the "other capture".
    const legitId = 'vsx-fz-legit-0001';
    const legitFile = join(capdir, 'legit.pcap');
    const started = await h.call(2, 'startCapture', { captureId: legitId, ifaces: [{ netns: nsHandle, iface: 'lo', output: legitFile }], filter: '', snaplen: 65535, maxDurationSec: 3600 });
    expect(replyProblem(started, 'startCapture'), JSON.stringify(started)).toBeNull();
    const legitPids = new Set(descendants(pid).map((p) => p.pid));
    expect(legitPids.size).toBeGreaterThan(0);
    ctx = { canary, nobodyDir: join(canary, 'nobody'), capdir, legitId, ns: nsHandle };

    const before = { canary: snapshot(canary, 3), capdir: snapshot(capdir, 1), tmp: new Set(readdirSync('/tmp')), etc: new Set(readdirSync('/etc')) };
    const faults0 = reapedChildFaults(pid);
    // Children besides the legit tcpdump, by a /proc scan every 15 ms (a backstop; cminflt per batch is the exact one).
    const seenChildren = new Map<number, string>();
    const selfArgv = processes().find((p) => p.pid === pid)?.argv.join(' ');
    const watcher = setInterval(() => {
      for (const p of descendants(pid)) if (!legitPids.has(p.pid) && p.argv.length && p.argv.join(' ') !== selfArgv) seenChildren.set(p.pid, p.argv.join(' ').slice(0, 200));
    }, 15);

    const rng = prng(SEED);
    let sent = 0;
    let expected = 0;
    let id = 1000;
    let batches = 0;
    let quietBatches = 0;
    const childInQuietBatch: string[] = [];
    const t0 = Date.now();
    try {
      while (sent < COUNT) {
        const batch: string[] = [];
        for (let i = 0; i < BATCH && sent < COUNT; i++, sent++) batch.push(fuzzLine(rng, ctx, ++id));
        const fBefore = reapedChildFaults(pid);
        const data = Buffer.from(batch.join('\n') + '\n', 'utf8');
        const from = h.replies.length;
        expected += nonBlankLines(data);
        await h.write(data);
        // Pace ourselves to the helper: wait until it caught up with this batch.
        const want = expected + 2;
        await waitFor(`replies to ${expected} lines`, () => h.replies.length >= want, 60_000, 2);
        batches++;
        // A batch in which no well-formed unknown name was looked up must not have reaped any child.
        if (!h.replies.slice(from).some(isLookupReply)) {
          quietBatches++;
          if (reapedChildFaults(pid) !== fBefore) childInQuietBatch.push(batch.map((l) => l.slice(0, 160)).join(' ⏎ '));
        }
      }
      // 10 MB lines (and one just over the limit), each answered with one id-less error.
      for (const size of [10 << 20, 10 << 20, (1 << 20) + 1, 3 << 20]) {
        await h.write(`{"id":${++id},"op":"hello","params":{},"pad":"`);
        const chunk = Buffer.alloc(1 << 20, 'A');
        for (let left = size; left > 0; left -= chunk.length) await h.write(left >= chunk.length ? chunk : chunk.subarray(0, left));
        await h.write('"}\n');
        expected++;
        sent++;
      }
      await waitFor('all replies', () => h.replies.length >= expected + 2, 120_000, 20);
      await sleep(300);
    } finally {
      clearInterval(watcher);
    }
    const fuzzMs = Date.now() - t0;
    const faults1 = reapedChildFaults(pid);

    // Pollution probe: an envelope without op must still be refused as malformed.
    const probe = await h.call(900_001, 'hello', {});
    await h.write(`{"id":900002}\n`);
    const noOp = await h.reply(900_002);

    const after = { canary: snapshot(canary, 3), capdir: snapshot(capdir, 1), tmp: new Set(readdirSync('/tmp')), etc: new Set(readdirSync('/etc')) };
    const fuzzReplies = h.replies.slice(2).filter((r) => r.id !== 900_001 && r.id !== 900_002);
    const accepted = fuzzReplies.filter((r) => r.ok !== false);
    const malformed = fuzzReplies.map((r) => replyProblem(r)).filter((p): p is string => p !== null && !p.startsWith('an ok reply'));
    const lookups = fuzzReplies.filter(isLookupReply).length;
    const strayChildren = [...seenChildren.values()].filter((a) => !LOOKUP.test(a));
    const codes = new Map<string, number>();
    for (const r of fuzzReplies) codes.set(r.error?.code ?? 'ok', (codes.get(r.error?.code ?? 'ok') ?? 0) + 1);
    const canaryDiff = diffSnapshots(before.canary, after.canary);
    const capdirDiff = diffSnapshots(before.capdir, after.capdir).filter((d) => !d.endsWith('/legit.pcap') && d !== `~ ${capdir}`);
    const tmpNew = [...after.tmp].filter((n) => !before.tmp.has(n) && /vsx-fz|pwned/.test(n));
    const etcNew = [...after.etc].filter((n) => !before.etc.has(n));

    // The legitimate capture survived all of it, and its file is whole.
    execFileSync('ip', ['netns', 'exec', NS, 'busybox', 'ping', '-q', '-c', '5', '-i', '0.05', '127.0.0.1'], { stdio: 'ignore' });
    await sleep(300);
    const stop = await h.call(900_003, 'stopCapture', { captureId: legitId });
    const stopProblem = replyProblem(stop, 'stopCapture');
    const legit = checkCaptureFile(legitFile);
    const captured = stop.result?.ifaces?.[0]?.captured ?? -1;
    const lost = Math.abs(captured - legit.tshark);
    const badEvents = eventProblems(h.events);

    const detail =
      `seed=${SEED} sent=${sent} lines=${expected} replies=${fuzzReplies.length} accepted=${accepted.length} malformed replies=${malformed.length} codes=${JSON.stringify(Object.fromEntries(codes))} ` +
      `interface lookups=${lookups} batches=${batches} (${quietBatches} without a lookup, children reaped in those=${childInQuietBatch.length}) stray processes=${strayChildren.length} ` +
      `canaryChanges=${canaryDiff.length} helperPid=${pid}→${probe.result?.pid} ${Math.round((expected / fuzzMs) * 1000)} lines/s stderr=${h.stderr.length}B legit captured=${captured} tshark=${legit.tshark} events=${h.events.length} (bad ${badEvents.length})`;
    const ok =
      fuzzReplies.length === expected && accepted.length === 0 && malformed.length === 0 && h.unparsable.length === 0 && strayChildren.length === 0 && childInQuietBatch.length === 0 && (lookups > 0 || faults1 === faults0) &&
      canaryDiff.length === 0 && capdirDiff.length === 0 && tmpNew.length === 0 && etcNew.length === 0 && probe.result?.pid === pid && noOp.ok === false && stopProblem === null && captured === 10 && lost === 0 && badEvents.length === 0;
    record({ section: '1 hostile input', check: 'helper v2: seeded fuzz over stdin (nobody as invoker)', inputs: sent, files: 1, lost, detail, ok });

    expect(fuzzReplies.length, 'one reply per non-blank line').toBe(expected);
    expect(accepted.map((r) => JSON.stringify(r).slice(0, 200)), 'no hostile request accepted').toEqual([]);
    expect(malformed, 'every reply follows the protocol, with a known code').toEqual([]);
    expect(h.unparsable, 'every output line is JSON').toEqual([]);
    expect(strayChildren, 'no process but an interface lookup').toEqual([]);
    expect(childInQuietBatch, 'no child reaped in a batch without a lookup (cminflt unchanged)').toEqual([]);
    expect(canaryDiff, 'canary folder untouched').toEqual([]);
    expect(capdirDiff, 'capture folder: only the legitimate file changed').toEqual([]);
    expect(tmpNew, '/tmp: nothing the fuzzer named').toEqual([]);
    expect(etcNew, '/etc untouched').toEqual([]);
    expect(probe.ok && probe.result.pid).toBe(pid);
    expect(noOp.ok, 'an envelope without op is still refused (no prototype pollution)').toBe(false);
    expect(stopProblem, JSON.stringify(stop)).toBeNull();
    expect(stop.result.ifaces[0]).toMatchObject({ ended: 'stopped', captured: 10 });
    expect(lost).toBe(0);
    expect(badEvents).toEqual([]);
    expect(h.stderr, 'no uncaught exception logged').not.toMatch(/vethscope-helper: .*Error/);
  });

  it('refuses hostile BPF filters by compiling them only (tcpdump -d as the invoking user), never running a shell', async () => {
    const pid = h.pid;
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
    const compileUids = new Set<string>();
    const cpuLimits = new Set<string>();
    const watch = setInterval(() => {
      for (const p of descendants(pid)) {
        if (p.argv.length || !seen.has(p.pid)) seen.set(p.pid, p.argv.join(' ').slice(0, 300));
        if (p.comm === 'tcpdump' && p.argv.includes('-d')) {
          const uid = procStatus(p.pid).Uid?.split(/\s+/)[0];
          if (uid) compileUids.add(uid);
          try {
            cpuLimits.add(/Max cpu time\s+(\S+)/.exec(readFileSync(`/proc/${p.pid}/limits`, 'utf8'))?.[1] ?? '?');
          } catch {
            /* gone */
          }
        }
      }
    }, 5);
    const replies: Array<Record<string, any>> = [];
    for (let i = 0; i < n; i++) {
      const filter = rng.pick(filters) + (rng.chance(0.3) ? ` ${rng.int(1000)}` : '');
      replies.push(await h.call(++nextId, 'startCapture', captureParams(ctx, { filter, ifaces: [{ netns: ctx.ns, iface: SPARE, output: join(capdir, `never-${i}.pcap`) }] })));
    }
    clearInterval(watch);
    // A child caught between fork and exec still shows the helper's own command line.
    const selfArgv = processes().find((p) => p.pid === pid)?.argv.join(' ').slice(0, 300);
    // The chain the helper runs: setpriv (to the user) → prlimit (CPU) → tcpdump -d; and the interface lookup before it.
    const allowed = [/(^|\/)setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- \S*prlimit /, /(^|\/)prlimit --cpu=\d+:\d+ -- \S*tcpdump -d -y EN10MB -- /, /(^|\/)tcpdump -d -y EN10MB -- /, LOOKUP];
    const notCompile = [...seen.values()].filter((a) => a !== '' && a !== selfArgv && !allowed.some((re) => re.test(a)));
    const accepted = replies.filter((r) => r.ok !== false);
    const codes = [...new Set(replies.map((r) => r.error?.code))];
    const files = readdirSync(capdir).filter((f) => f.startsWith('never-'));
    const ok = accepted.length === 0 && notCompile.length === 0 && !existsSync(pwned) && files.length === 0 && alive(pid) && [...compileUids].every((u) => u === String(NOBODY));
    record({
      section: '1 hostile input',
      check: 'helper v2: shell metacharacters in BPF filters (startCapture compiles as the user)',
      inputs: n,
      detail: `codes=${codes.join(',')} processes observed=${seen.size} other processes=${notCompile.length}${notCompile.length ? ` (${notCompile[0]})` : ''} tcpdump -d uids=${[...compileUids].join(',') || 'none seen'} cpu limits=${[...cpuLimits].join(',') || 'none seen'}`,
      ok,
    });
    expect(accepted.map((r) => JSON.stringify(r).slice(0, 200))).toEqual([]);
    expect(notCompile, 'only the lookup and `tcpdump -d` ran').toEqual([]);
    expect(existsSync(pwned)).toBe(false);
    expect(files, 'no capture file left for a refused filter').toEqual([]);
    expect(codes.every((c) => c === 'BAD_FILTER' || c === 'INVALID_INPUT'), codes.join()).toBe(true);
    expect([...compileUids].filter((u) => u !== String(NOBODY)), 'tcpdump -d runs as the invoking user').toEqual([]);
  });

  /** startCapture on the spare interface writing `output`; stopped again at once when it started. */
  async function tryOutput(output: string): Promise<Record<string, any>> {
    const r = await h.call(++nextId, 'startCapture', captureParams(ctx, { ifaces: [{ netns: ctx.ns, iface: SPARE, output }] }));
    if (r.ok) await h.call(++nextId, 'stopCapture', { captureId: r.result.captureId });
    return r;
  }

  it('a symlinked folder in the output path reaches only what the invoking user may write (tcpdump opens it as that user)', async () => {
    // The helper never opens the output: tcpdump does, as nobody. A folder symlink is followed, but to
    // nowhere nobody could not have written to directly.
    symlinkSync(ctx.nobodyDir, join(capdir, 'linkdir')); // a folder nobody may write
    symlinkSync(canary, join(capdir, 'rootdir')); // root's 0755 folder
    symlinkSync('/etc', join(capdir, 'etcdir'));
    const before = { canary: snapshot(canary, 1), etc: new Set(readdirSync('/etc')) };
    const toNobody = await tryOutput(join(capdir, 'linkdir', 'through-dir-link.pcap'));
    const toRoot = await tryOutput(join(capdir, 'rootdir', 'through-dir-link.pcap'));
    const toEtc = await tryOutput(join(capdir, 'etcdir', 'vsx-fz-through-dir-link.pcap'));
    const landed = join(ctx.nobodyDir, 'through-dir-link.pcap');
    const landedOwner = existsSync(landed) ? lstatSync(landed).uid : null;
    const rootChanged = diffSnapshots(before.canary, snapshot(canary, 1)).filter((d) => !d.startsWith(`~ ${ctx.nobodyDir}`));
    const etcNew = readdirSync('/etc').filter((n) => !before.etc.has(n));
    for (const l of ['linkdir', 'rootdir', 'etcdir']) rmSync(join(capdir, l));
    const ok = toNobody.ok === true && landedOwner === NOBODY && toRoot.ok === false && toEtc.ok === false && rootChanged.length === 0 && etcNew.length === 0 && alive(h.pid);
    record({
      section: '1 hostile input',
      check: "helper v2: symlinked folder in the output path: followed, but only as far as the user's own permissions",
      inputs: 3,
      detail: `into nobody's folder: ${toNobody.ok ? `written, owner uid ${landedOwner}` : toNobody.error?.code}; into root's 0755 folder: ${toRoot.ok ? 'WRITTEN' : `${toRoot.error?.code} (${toRoot.error?.message?.slice(0, 80)})`}; into /etc: ${toEtc.ok ? 'WRITTEN' : toEtc.error?.code}; root's files changed=${rootChanged.length}, /etc new=${etcNew.length}`,
      ok,
    });
    expect(toNobody.ok, JSON.stringify(toNobody)).toBe(true);
    expect(landedOwner).toBe(NOBODY);
    expect(toRoot).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(toEtc).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(rootChanged).toEqual([]);
    expect(etcNew).toEqual([]);
  });

  it("hostile output paths are opened by tcpdump as the invoking user: refused wherever that user may not write", async () => {
    // What the schema lets through reaches tcpdump, which runs as nobody with CAP_NET_RAW only: the kernel judges.
    const refused = [`${canary}/a.txt`, `${canary}/fresh.pcap`, '/etc/passwd', '/etc/vsx-fz-new.pcap', '/root/vsx-fz-new.pcap', `${capdir}/link-etc.pcap`, `${capdir}/link-passwd.pcap`, '/', '//', `${capdir}/missing-dir/x.pcap`, `${capdir}/existing.pcap/x`, '/etc/vsx-fz$(id).pcap', '/etc/vsx-fz\nX.pcap', '/proc/1/mem'];
    // Where nobody may write anyway (its own folder and files, through symlinks too, /dev/null): accepted, written as nobody.
    const nobodys = [
      { path: `${capdir}/fresh.pcap`, lands: `${capdir}/fresh.pcap` },
      { path: `${capdir}/link-dangling.pcap`, lands: join(ctx.nobodyDir, 'created-through-link.pcap') },
      { path: `${capdir}/link-canary.pcap`, lands: join(ctx.nobodyDir, 'b.pcapng') },
      { path: `${capdir}/existing.pcap`, lands: `${capdir}/existing.pcap` },
      { path: '/dev/null', lands: '/dev/null' },
    ];
    const before = { canary: snapshot(canary, 1), etc: snapshot('/etc', 1), root: snapshot('/root', 1), passwd: snapshot('/etc/passwd', 0) };
    const wronglyAccepted: string[] = [];
    const refusedCodes = new Map<string, number>();
    for (const p of refused) {
      const r = await tryOutput(p);
      if (r.ok) wronglyAccepted.push(p);
      else refusedCodes.set(r.error.code, (refusedCodes.get(r.error.code) ?? 0) + 1);
    }
    const wronglyRefused: string[] = [];
    const wrongOwner: string[] = [];
    for (const p of nobodys) {
      const r = await tryOutput(p.path);
      if (!r.ok) wronglyRefused.push(`${p.path}: ${r.error.code} ${r.error.message}`);
      else if (p.lands !== '/dev/null' && statSync(p.lands).uid !== NOBODY) wrongOwner.push(p.lands);
    }
    const rootChanged = [
      ...diffSnapshots(before.canary, snapshot(canary, 1)).filter((d) => !d.startsWith(`~ ${ctx.nobodyDir}`)),
      ...diffSnapshots(before.etc, snapshot('/etc', 1)).filter((d) => !/\/etc\/(mtab|ld\.so\.cache|resolv\.conf|hosts|hostname)$/.test(d.slice(2))),
      ...diffSnapshots(before.root, snapshot('/root', 1)).filter((d) => /vsx-fz/.test(d)),
      ...diffSnapshots(before.passwd, snapshot('/etc/passwd', 0)),
    ];
    const ok = wronglyAccepted.length === 0 && wronglyRefused.length === 0 && wrongOwner.length === 0 && rootChanged.length === 0 && alive(h.pid);
    record({
      section: '1 hostile input',
      check: 'helper v2: hostile output paths opened as nobody (the kernel refuses what nobody may not write)',
      inputs: refused.length + nobodys.length,
      detail: `refused ${refused.length - wronglyAccepted.length}/${refused.length} (${JSON.stringify(Object.fromEntries(refusedCodes))}); nobody's own places written ${nobodys.length - wronglyRefused.length}/${nobodys.length}, wrong owner ${wrongOwner.length}; root's files changed ${rootChanged.length}`,
      ok,
    });
    expect(wronglyAccepted, 'places nobody may not write').toEqual([]);
    expect(wronglyRefused, "nobody's own places").toEqual([]);
    expect(wrongOwner).toEqual([]);
    expect(rootChanged).toEqual([]);
  });

  it('exits cleanly when its client goes away, leaving no process behind', async () => {
    const pid = h.pid;
    const kids = descendants(pid).map((p) => p.pid);
    const t0 = Date.now();
    h.child.stdin.end();
    const ex = await Promise.race([h.exit, sleep(3000).then(() => null)]);
    await sleep(200);
    const left = kids.filter((k) => alive(k));
    const ok = ex !== null && ex.code === 0 && ex.at - t0 <= 2000 && left.length === 0 && !processes().some((p) => p.pid === pid);
    record({ section: '1 hostile input', check: 'helper v2: stdin closed after the fuzz: exit 0 within 2 s, no children left', faults: 1, detail: `exit=${JSON.stringify(ex && { code: ex.code, signal: ex.signal })} after ${ex ? ex.at - t0 : '>3000'} ms, children left=${left.length}`, ok });
    expect(ex).not.toBeNull();
    expect(ex!.code).toBe(0);
    expect(ex!.at - t0).toBeLessThanOrEqual(2000);
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
