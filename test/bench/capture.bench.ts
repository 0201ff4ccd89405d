// Capture benchmark, whole processes as a person runs them: `vethscope capture CONTAINER`
// (pcapng, merged writer; and classic pcap, tcpdump writing the file) against bare
// `tcpdump -w FILE` on the same host veth, while iperf3 pushes TCP between two of our own
// containers at a bounded rate (inside their namespaces, bounded in time). Each tool also
// runs once with no traffic for the same length: CPU above that idle run is the cost of the
// traffic. vethscope runs as a program, through its #! line, as a person runs it. CPU is every
// process of the tool, start to exit (GNU time: the CLI, and the helper and tcpdumps it reaped), and again from the moment it said it was capturing (its
// process tree's CPU then, from /proc, subtracted): the start-up varies by ±0.1 s per run, as
// much as 200 MB of traffic costs. Prints ratios against bare measured in the same run.
// At full rate two more sinks show what keeps up: vethscope at --snaplen 96 ("short") and bare
// tcpdump into /dev/null ("null"); and vethscope's own words on the bottleneck are printed.
// usage: npm run bench:capture -- [--rates 200M,1G,0] [--seconds 4] [--reps 1] [--idle-reps N (default max(reps, 4))] [--tools bare,pcapng,pcap] [--snaplen N]   (0 = full rate)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { docker, ipOf, runContainer, removeSuiteContainers, testEnv } from '../support/env';
import { median } from './stats';

const ROOT = resolve(__dirname, '../..');
const SUITE = 'vsq2-bench';
const SRV = 'vsq2-bench-srv';
const CLI = 'vsq2-bench-cli';
const { values } = parseArgs({
  options: { rates: { type: 'string', default: '200M,1G,0' }, seconds: { type: 'string', default: '4' }, reps: { type: 'string', default: '1' }, tools: { type: 'string', default: 'bare,pcapng,pcap' }, snaplen: { type: 'string', default: '262144' }, 'idle-reps': { type: 'string' } },
});
type Tool = 'bare' | 'dumpcap' | 'pcapng' | 'pcap' | 'short' | 'null';
/** Sinks that keep up, run at full rate only. */
const FULL_RATE_EXTRA: Tool[] = ['short', 'null'];
const TOOLS = values.tools!.split(',').filter(Boolean) as Tool[];
const RATES = values.rates!.split(',').filter(Boolean);
const SECONDS = Math.min(30, Number(values.seconds));
const REPS = Number(values.reps);
/** The idle run is subtracted from every other: its start-up varies by ±0.1 s, so it is run more often. */
const IDLE_REPS = Number(values['idle-reps'] ?? Math.max(REPS, 4));
const SNAPLEN = values.snaplen!;

interface Run {
  tool: Tool;
  rate: string;
  packets: number;
  dropped: number;
  bytes: number;
  sent: number;
  cpu: number;
  /** CPU from the moment the tool said it was capturing to its exit: the same, without its start-up. */
  cpuCapturing: number;
  rss: number;
  /** The same without vethscope's CLI process (helper and capture processes; bare: tcpdump): the issue's memory measure. */
  engineRss: number;
  /** engineRss in the last sample against the first after "capturing": flat over the run when near 0. */
  engineGrowth: number;
  /** vethscope's bottleneck line(s), if it said any. */
  said: string[];
}

const pidOf = (name: string) => Number(docker('inspect', '-f', '{{.State.Pid}}', name));

function descendants(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => (kids.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}

const TICK = 100; // USER_HZ: /proc/PID/stat counts CPU in 1/100 s
/** CPU so far of a process tree: each live process's own and its reaped children's (utime, stime, cutime, cstime). */
function treeCpu(root: number): number {
  let ticks = 0;
  for (const pid of descendants(root)) {
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      /* gone: its CPU is in its parent's cutime once reaped, and in GNU time's total */
    }
  }
  return ticks / TICK;
}

const rssOf = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
};

/**
 * Peaks of the summed RSS of a process tree, sampled every 250 ms: all of it, and the processes
 * `engineOf` names (vethscope: what its CLI started, the helper and the capture processes; bare:
 * tcpdump itself), with their growth from the first sample to the last.
 */
function treeRss(root: number, engineOf: () => number[]) {
  let peak = 0;
  let engine = 0;
  let first: number | null = null;
  let last = 0;
  const sample = () => {
    peak = Math.max(peak, [root, ...descendants(root)].reduce((n, p) => n + rssOf(p), 0));
    last = engineOf().reduce((n, p) => n + rssOf(p), 0);
    first ??= last;
    engine = Math.max(engine, last);
  };
  sample();
  const t = setInterval(sample, 250);
  return () => (clearInterval(t), { peak, engine, growth: last - (first ?? 0) });
}

/** iperf3 inside the containers' namespaces, asynchronously (the tools under test keep running); resolves bytes sent. */
function iperf(rate: string): Promise<number> {
  if (rate === 'idle') return new Promise((r) => setTimeout(() => r(0), SECONDS * 1000));
  const server = spawn('nsenter', ['-t', String(pidOf(SRV)), '-n', 'iperf3', '-s', '-1', '-p', '5299'], { stdio: 'ignore' });
  return new Promise((resolveSent, reject) => {
    setTimeout(() => {
      const args = ['-t', String(pidOf(CLI)), '-n', 'iperf3', '-c', ipOf(SRV), '-p', '5299', '-t', String(SECONDS), '-J'];
      if (rate !== '0') args.push('-b', rate);
      const c = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => {
        server.kill();
        try {
          resolveSent(JSON.parse(out).end.sum_sent.bytes as number);
        } catch {
          reject(new Error(`iperf3 failed: ${out.slice(0, 300)}`));
        }
      });
    }, 300);
  });
}

/** Start under GNU time; resolves once `ready` appears on stderr. */
function timed(argv: string[], ready: RegExp, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; done: Promise<{ cpu: number; stderr: string; stdout: string }> }> {
  const child = spawn('/usr/bin/time', ['-f', 'VSQTIME %U %S', ...argv], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  const done = new Promise<{ cpu: number; stderr: string; stdout: string }>((r) =>
    child.on('close', () => {
      const t = /VSQTIME ([\d.]+) ([\d.]+)/.exec(stderr);
      r({ cpu: t ? Number(t[1]) + Number(t[2]) : NaN, stderr, stdout });
    }),
  );
  return new Promise((r, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${stderr}`)), 30_000);
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (ready.test(stderr)) {
        clearTimeout(timer);
        r({ child, done });
      }
    });
  });
}

/** This sandbox's NODE_EXTRA_CA_CERTS (node reads it before any of our code: ~90 ms of every node start) left out. */
const withoutCaVar = (): NodeJS.ProcessEnv => {
  const { NODE_EXTRA_CA_CERTS: _ca, ...env } = testEnv();
  return env;
};

async function runOne(tool: Tool, rate: string, veth: string, dir: string, env: NodeJS.ProcessEnv = testEnv()): Promise<Run> {
  const file = tool === 'null' ? '/dev/null' : join(dir, `${tool}-${rate}-${Date.now()}.${tool === 'pcap' ? 'pcap' : 'pcapng'}`);
  // dumpcap alone (Wireshark's engine, which vethscope's pcapng path runs): what the engine itself costs.
  const engineOnly = tool === 'dumpcap';
  const bareLike = tool === 'bare' || tool === 'null' || engineOnly;
  const argv = engineOnly
    ? ['dumpcap', '-i', veth, '-s', SNAPLEN, '-B', '64', '-w', file]
    : bareLike
      ? ['tcpdump', '-i', veth, '-n', '-s', SNAPLEN, '-B', '65536', '-w', file]
      : [join(ROOT, 'bin/vethscope.cjs'), 'capture', CLI, '--snaplen', tool === 'short' ? '96' : SNAPLEN, '--format', tool === 'pcap' ? 'pcap' : 'pcapng', '-o', file];
  const { child, done } = await timed(argv, engineOnly ? /Capturing on/ : bareLike ? /listening on/ : /capturing .* into/, env);
  const top = child.pid!;
  // What the tool spent starting (for vethscope: node, discovery, the helper) varies by ±0.1 s
  // from run to run and does not grow with traffic: the capture phase is measured without it too.
  const atReady = treeCpu(top);
  // The tool's own process is GNU time's child: for vethscope the CLI, whose children are the helper and its captures.
  const peak = treeRss(top, () => {
    const own = descendants(top)[0];
    return own === undefined ? [] : bareLike ? [own, ...descendants(own)] : descendants(own);
  });
  const sent = await iperf(rate);
  // SIGINT where a person's Ctrl+C lands: tcpdump itself, or the vethscope CLI.
  const target = bareLike ? descendants(top).find((p) => /^(tcpdump|dumpcap)/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8'))) ?? top : descendants(top)[0] ?? top;
  process.kill(target, 'SIGINT');
  const r = await done;
  const { peak: rss, engine: engineRss, growth: engineGrowth } = peak();
  let packets: number;
  let dropped: number;
  if (engineOnly) {
    const m = /Packets received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(r.stderr);
    packets = Number(m?.[1] ?? 0);
    dropped = Number(m?.[2] ?? 0);
  } else if (bareLike) {
    packets = Number(/(\d+) packets captured/.exec(r.stderr)?.[1] ?? 0);
    dropped = Number(/(\d+) packets dropped by kernel/.exec(r.stderr)?.[1] ?? 0);
  } else {
    const m = /stopped \(\w+\): (\d+) packets, \d+ bytes, (\d+) dropped/.exec(r.stderr);
    if (!m) throw new Error(`no summary from vethscope: ${r.stderr.slice(-500)}`);
    packets = Number(m[1]);
    dropped = Number(m[2]);
  }
  const said = r.stderr.split('\n').filter((l) => /keep up/.test(l)).map((l) => l.trim());
  const cpuCapturing = r.cpu - atReady;
  if (tool === 'null') return { tool, rate, packets, dropped, bytes: 0, sent, cpu: r.cpu, cpuCapturing, rss, engineRss, engineGrowth, said };
  const c = spawnSync('capinfos', ['-c', '-M', file], { encoding: 'utf8' });
  const inFile = Number(/Number of packets:\s+(\d+)/.exec(c.stdout)?.[1] ?? -1);
  if (inFile !== packets) console.error(`  !! ${tool} file holds ${inFile} packets, reported ${packets}`);
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  rmSync(`${file}.json`, { force: true });
  return { tool, rate, packets, dropped, bytes, sent, cpu: r.cpu, cpuCapturing, rss, engineRss, engineGrowth, said };
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : 'inf') : (a / b).toFixed(2));
const label = (r: string) => (r === '0' ? 'full' : r);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (private daemon, namespaces, tcpdump)');
  spawnSync('bash', [join(__dirname, '../support/daemon.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  spawnSync('npm', ['run', '--silent', 'build:node'], { cwd: ROOT, stdio: 'inherit' });
  removeSuiteContainers(SUITE);
  runContainer(SUITE, SRV);
  runContainer(SUITE, CLI);
  const dir = mkdtempSync(join(tmpdir(), 'vsq2-bench-'));
  try {
    const veth = spawnSync(process.execPath, [join(ROOT, 'bin/vethscope.cjs'), 'veth', CLI], { encoding: 'utf8', env: testEnv() }).stdout.trim();
    if (!veth) throw new Error(`no host veth for ${CLI}`);
    // One discarded run of each tool first. This VM backs guest memory on first touch: a 64 MiB
    // capture ring on pages never used since boot cost dumpcap 110-190 ms, on pages used before
    // 13-17 ms (512 MiB: 1283 against 65 ms). Whichever tool ran first paid it (bare's first idle
    // run: 0.14 s, its others 0.01-0.02), so the first run measured the machine, not the tool.
    for (const tool of TOOLS) {
      const r = await runOne(tool, 'idle', veth, dir);
      console.error(`  ${tool.padEnd(6)} warm-up (discarded): CPU ${r.cpu.toFixed(2)} s`);
    }
    const runs: Run[] = [];
    for (const rate of ['idle', ...RATES])
      for (let rep = 0; rep < (rate === 'idle' ? IDLE_REPS : REPS); rep++) {
        const tools = rate === '0' ? [...TOOLS, ...FULL_RATE_EXTRA] : TOOLS;
        const order = tools.map((_, i) => tools[(i + rep) % tools.length]!);
        for (const tool of order) {
          const r = await runOne(tool, rate, veth, dir);
          runs.push(r);
          console.error(`  ${tool.padEnd(6)} ${label(rate).padStart(4)}: ${r.packets} pkts, ${r.dropped} dropped, ${(r.bytes / 1e6).toFixed(1)} MB, CPU ${r.cpu.toFixed(2)} s (capturing ${r.cpuCapturing.toFixed(2)} s), peak RSS ${(r.rss / 1e6).toFixed(0)} MB (helper and capture ${(r.engineRss / 1e6).toFixed(0)} MB)`);
        }
      }
    // The fixed cost as a user without this sandbox's CA variable pays it: the idle runs again, without it.
    const caVar = Boolean(process.env.NODE_EXTRA_CA_CERTS) && TOOLS.includes('pcapng');
    if (caVar)
      for (let rep = 0; rep < IDLE_REPS; rep++) {
        const r = await runOne('pcapng', 'idle', veth, dir, withoutCaVar());
        runs.push({ ...r, rate: 'idle-no-ca' });
        console.error(`  pcapng idle without NODE_EXTRA_CA_CERTS: CPU ${r.cpu.toFixed(2)} s (capturing ${r.cpuCapturing.toFixed(2)} s)`);
      }
    const of = (tool: Tool, rate: string, k: keyof Run) => runs.filter((r) => r.tool === tool && r.rate === rate).map((r) => r[k] as number);
    const mean = (xs: number[]) => xs.reduce((n, x) => n + x, 0) / Math.max(1, xs.length);
    // The idle CPU subtracted from every run is the median of the idle runs: one run that lands on
    // memory the VM had not backed yet (see the warm-up) moves a mean by 0.03 s, a 200M ratio by 0.2.
    const avg = (tool: Tool, rate: string, k: keyof Run) => (rate === 'idle' || rate === 'idle-no-ca' ? median : mean)(of(tool, rate, k));
    console.log(`\ncapture benchmark: ${SECONDS} s of iperf3 per run between two containers, host veth ${veth}, snaplen ${SNAPLEN}, ${REPS} rep(s)`);
    console.log('CPU = every process of the tool, minus the same tool idle for the same length: whole run (start to exit), and capturing (from "capturing" to exit: start-up left out)');
    console.log('rate   tool    packets  dropped  file MB  CPU s  above idle  s/GB   CPU vs bare | capturing: above idle  s/GB  CPU vs bare | packets vs bare  peak RSS MB');
    const perGbOf = (tool: Tool, rate: string, k: 'cpu' | 'cpuCapturing') => (avg(tool, rate, k) - avg(tool, 'idle', k)) / (avg(tool, rate, 'bytes') / 1e9);
    for (const rate of RATES)
      for (const tool of TOOLS) {
        const above = avg(tool, rate, 'cpu') - avg(tool, 'idle', 'cpu');
        const aboveCapturing = avg(tool, rate, 'cpuCapturing') - avg(tool, 'idle', 'cpuCapturing');
        console.log(
          `${label(rate).padEnd(6)} ${tool.padEnd(6)} ${String(Math.round(avg(tool, rate, 'packets'))).padStart(8)} ${String(Math.round(avg(tool, rate, 'dropped'))).padStart(8)} ${(avg(tool, rate, 'bytes') / 1e6).toFixed(0).padStart(8)} ${avg(tool, rate, 'cpu').toFixed(2).padStart(6)} ${above.toFixed(2).padStart(10)} ${perGbOf(tool, rate, 'cpu').toFixed(2).padStart(6)} ${ratio(perGbOf(tool, rate, 'cpu'), perGbOf('bare', rate, 'cpu')).padStart(12)} | ${aboveCapturing.toFixed(2).padStart(20)} ${perGbOf(tool, rate, 'cpuCapturing').toFixed(2).padStart(5)} ${ratio(perGbOf(tool, rate, 'cpuCapturing'), perGbOf('bare', rate, 'cpuCapturing')).padStart(12)} | ${ratio(avg(tool, rate, 'packets'), avg('bare', rate, 'packets')).padStart(15)} ${(avg(tool, rate, 'rss') / 1e6).toFixed(0).padStart(12)}`,
        );
      }
    console.log('targets: pcapng CPU per byte vs bare <= 1.5 at 200M and 1G, packets >= 0.99, drops no higher');
    // The issue's memory measure: helper and capture processes (not the CLI) within bare tcpdump's plus 64 MB per interface, flat.
    console.log('memory: peak RSS of the helper and capture processes (vethscope\'s CLI left out; bare: tcpdump), growth from the first sample after "capturing" to the last, target bare + 64 MB (one interface)');
    for (const rate of ['idle', ...RATES])
      for (const tool of TOOLS.filter((t) => t !== 'bare')) {
        const engine = Math.max(...of(tool, rate, 'engineRss')) / 1e6;
        const limit = Math.max(...of('bare', rate, 'engineRss')) / 1e6 + 64;
        const growth = Math.max(...of(tool, rate, 'engineGrowth')) / 1e6;
        console.log(`  ${label(rate).padEnd(5)} ${tool.padEnd(7)} ${engine.toFixed(0).padStart(4)} MB (bare + 64: ${limit.toFixed(0)} MB, ${engine <= limit ? 'within' : 'OVER'}), grew ${growth.toFixed(1)} MB at most during a run`);
      }
    const idleText = (t: Tool, rate: string) => `${avg(t, rate, 'cpu').toFixed(2)} s (start-up ${(avg(t, rate, 'cpu') - avg(t, rate, 'cpuCapturing')).toFixed(2)} s; runs ${of(t, rate, 'cpu').map((x) => x.toFixed(2)).join(' ')})`;
    console.log(`idle runs (the fixed cost of a ${SECONDS} s capture, median of ${IDLE_REPS}): ${TOOLS.map((t) => `${t} ${idleText(t, 'idle')}`).join(', ')}`);
    if (caVar) console.log(`  pcapng without this sandbox's NODE_EXTRA_CA_CERTS: ${idleText('pcapng', 'idle-no-ca')}`);
    console.log('  target: the fixed CPU cost of one CLI capture (start, discovery, helper start, stop) under 0.25 s');
    if (RATES.includes('0')) {
      console.log('\nfull rate: sinks that keep up, and what vethscope said while capturing');
      for (const tool of [...TOOLS, ...FULL_RATE_EXTRA]) {
        const xs = runs.filter((r) => r.tool === tool && r.rate === '0');
        if (!xs.length) continue;
        const what = tool === 'short' ? 'vethscope --snaplen 96' : tool === 'null' ? `tcpdump -s ${SNAPLEN} -w /dev/null` : tool;
        console.log(`  ${what.padEnd(28)} ${String(Math.round(avg(tool, '0', 'packets'))).padStart(8)} packets, ${String(Math.round(avg(tool, '0', 'dropped'))).padStart(8)} dropped (${ratio(avg(tool, '0', 'dropped'), avg(tool, '0', 'packets') + avg(tool, '0', 'dropped'))} of what the kernel offered)`);
        for (const l of [...new Set(xs.flatMap((r) => r.said))].slice(0, 2)) console.log(`      ${l}`);
      }
    }
  } finally {
    removeSuiteContainers(SUITE);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  removeSuiteContainers(SUITE);
  process.exitCode = 1;
});
