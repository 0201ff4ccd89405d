// Capture benchmark: vethscope pcapng (service → helper → tcpdump per interface →
// merged pcapng), vethscope classic pcap of one interface (zero-copy: tcpdump
// writes the file the helper created) and bare `tcpdump -w FILE` on the same host
// veth, alternating, while iperf3 pushes bulk TCP between two of our own
// containers (inside their namespaces, bounded in time). Reports packets, kernel
// drops, CPU seconds, peak RSS and ratios, then the time from the start request
// to the first packet on disk.
//
// CPU is reported two ways, the same for every tool:
//   whole:  from the process's start to its exit (bare: GNU time around tcpdump;
//           vethscope: the helper's own CPU + its reaped children (setpriv,
//           nsenter, tcpdump) from before startCapture to after stopCapture);
//   window: only the traffic window (bare: after "listening on" to just before
//           SIGINT; vethscope: from startCapture's return to just before stop).
// Rate 'idle' runs the capture with no traffic: the per-second fixed cost.
// VSQ_BENCH_CPU_PROF=DIR runs the helper under node --cpu-prof (profile in DIR, summarised at the end).
// usage: npm run bench:capture -- [--rates 200M,1G,0] [--seconds 4] [--reps 1] [--tools bare,vethscope,zerocopy]   (0 = full rate)
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createServices, type Services } from '../../electron/backend/create-backend';
import { docker, dockerTry, ipOf, runContainer, removeSuiteContainers, testEnv } from '../support/env';

const SUITE = 'vsq2-bench';
const SRV = 'vsq2-bench-srv';
const CLI = 'vsq2-bench-cli';
const { values } = parseArgs({ options: { rates: { type: 'string', default: '200M,1G,0' }, seconds: { type: 'string', default: '4' }, reps: { type: 'string', default: '1' }, ttfp: { type: 'string', default: '7' }, tools: { type: 'string', default: 'bare,vethscope,zerocopy' } } });
type Tool = 'bare' | 'vethscope' | 'zerocopy';
const TOOLS = values.tools!.split(',').filter(Boolean) as Tool[];
const RATES = values.rates!.split(',').filter(Boolean);
const SECONDS = Math.min(10, Number(values.seconds));
const REPS = Number(values.reps);
const TICK = 500; // ms between /proc RSS samples
const CLK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** utime+stime (+ reaped children's) in seconds, and RSS in bytes. */
function procStat(pid: number): { cpu: number; childCpu: number; rss: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    const [ut, st, cut, cst] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
    const rss = Number(f[21]) * 4096;
    return { cpu: (ut + st) / CLK, childCpu: (cut + cst) / CLK, rss };
  } catch {
    return null;
  }
}

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

/**
 * RSS every TICK ms: the peak of the sum over `pids()`, the peak of each process
 * (by role), and the first process's (the helper's) series for start/peak/end.
 */
function rssSampler(pids: () => Array<{ pid: number; role: string }>) {
  let peak = 0;
  const perRole = new Map<string, number>();
  const first: number[] = [];
  const sample = () => {
    let sum = 0;
    pids().forEach(({ pid, role }, i) => {
      const r = procStat(pid)?.rss ?? 0;
      sum += r;
      perRole.set(role, Math.max(perRole.get(role) ?? 0, r));
      if (i === 0) first.push(r);
    });
    peak = Math.max(peak, sum);
  };
  sample();
  const t = setInterval(sample, TICK);
  return {
    stop: () => {
      clearInterval(t);
      sample();
      return { peak, perRole, first };
    },
  };
}

interface Run {
  tool: Tool;
  rate: string;
  packets: number;
  dropped: number;
  capturedBytes: number;
  sentBytes: number;
  /** Start to exit (see the top). */
  cpu: number;
  /** The traffic window only. */
  windowCpu: number;
  /** Of windowCpu, what the tcpdump process spent (vethscope: the rest is the helper's). */
  tcpdumpCpu: number;
  /** vethscope: the helper's own CPU during startCapture / during stopCapture, and tcpdump's (with setpriv/nsenter) up to its first packet header. */
  phases?: { start: number; tcpdumpStart: number; stop: number };
  rss: number;
  /** Peak RSS per process role (helper, tcpdump#n, backend). */
  roles: Record<string, number>;
  /** vethscope: helper RSS at start, peak, end of the run. */
  helperRss?: { start: number; peak: number; end: number };
}

const pidOf = (name: string) => Number(docker('inspect', '-f', '{{.State.Pid}}', name));

/** iperf3 server (one test) and client inside the containers' namespaces; resolves bytes sent. */
async function iperf(rate: string, seconds: number): Promise<number> {
  if (rate === 'idle') {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    return 0;
  }
  const server = spawn('nsenter', ['-t', String(pidOf(SRV)), '-n', 'iperf3', '-s', '-1', '-p', '5299'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const args = ['-t', String(pidOf(CLI)), '-n', 'iperf3', '-c', ipOf(SRV), '-p', '5299', '-t', String(seconds), '-J'];
  if (rate !== '0') args.push('-b', rate);
  const r = spawnSync('nsenter', args, { encoding: 'utf8', timeout: (seconds + 10) * 1000 });
  server.kill();
  try {
    return JSON.parse(r.stdout).end.sum_sent.bytes as number;
  } catch {
    throw new Error(`iperf3 failed: ${r.stderr || r.stdout.slice(0, 300)}`);
  }
}

async function runBare(veth: string, dir: string, rate: string): Promise<Run> {
  const file = join(dir, `bare-${rate}.pcap`);
  // Same snaplen and kernel buffer as the helper's tcpdump: the comparison is about the pipeline.
  // GNU time reports tcpdump's CPU from exec to exit (the window is read from /proc).
  const t = spawn('/usr/bin/time', ['-f', 'VSQTIME %U %S', 'tcpdump', '-i', veth, '-n', '-s', '262144', '-B', '65536', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  t.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 100 && !err.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 20));
  const pid = descendants(t.pid!)[0]!;
  const w0 = procStat(pid)!.cpu;
  const rss = rssSampler(() => [{ pid, role: 'tcpdump' }]);
  const sent = await iperf(rate, SECONDS);
  const windowCpu = procStat(pid)!.cpu - w0;
  const closed = new Promise((r) => t.on('close', r));
  process.kill(pid, 'SIGINT');
  await closed;
  const tm = /VSQTIME ([\d.]+) ([\d.]+)/.exec(err);
  const cpu = tm ? Number(tm[1]) + Number(tm[2]) : NaN;
  const { peak, perRole } = rss.stop();
  const packets = Number(/(\d+) packets captured/.exec(err)?.[1] ?? 0);
  const dropped = Number(/(\d+) packets dropped by kernel/.exec(err)?.[1] ?? 0);
  const size = statSync(file).size;
  rmSync(file);
  return { tool: 'bare', rate, packets, dropped, capturedBytes: size - 24 - 16 * packets, sentBytes: sent, cpu, windowCpu, tcpdumpCpu: windowCpu, rss: peak, roles: Object.fromEntries(perRole) };
}

/** CPU of the helper itself and of its live descendants (tcpdump). */
function pipelineCpu(helperPid: number): { helper: number; kids: number } {
  return { helper: procStat(helperPid)!.cpu, kids: descendants(helperPid).reduce((n, p) => n + (procStat(p)?.cpu ?? 0), 0) };
}

async function runVethscope(s: Services, dir: string, rate: string, tool: 'vethscope' | 'zerocopy'): Promise<Run> {
  const helperPid = s.helper.helperPid!;
  const before = procStat(helperPid)!;
  const started = await s.backend.call('startCapture', { targets: [{ type: 'container', container: CLI }], output: { dir }, format: tool === 'zerocopy' ? 'pcap' : 'pcapng' });
  if (!started.ok) throw new Error(started.error.message);
  const w0 = pipelineCpu(helperPid);
  // The helper first (its series), its tcpdumps (setpriv/nsenter exec into tcpdump: same pid), the backend (this process).
  const rss = rssSampler(() => [{ pid: helperPid, role: 'helper' }, ...descendants(helperPid).map((pid, i) => ({ pid, role: `tcpdump#${i}` })), { pid: process.pid, role: 'backend' }]);
  const sent = await iperf(rate, SECONDS);
  const w1 = pipelineCpu(helperPid);
  const stopped = await s.backend.call('stopCapture', { id: started.result.id });
  if (!stopped.ok) throw new Error(stopped.error.message);
  const { peak, perRole, first } = rss.stop();
  // tcpdump has been reaped by the helper by now: its CPU shows in the helper's children's time.
  const after = procStat(helperPid)!;
  const cpu = after.cpu + after.childCpu - before.cpu - before.childCpu;
  const windowCpu = w1.helper + w1.kids - w0.helper - w0.kids;
  const tcpdumpCpu = w1.kids - w0.kids;
  const phases = { start: w0.helper - before.cpu, tcpdumpStart: w0.kids, stop: after.cpu - w1.helper };
  if (tool === 'zerocopy') {
    // The helper counted from record headers it walked: the file must hold exactly that many, whole.
    const f = stopped.result.files[0]!;
    const c = spawnSync('capinfos', ['-c', '-M', f], { encoding: 'utf8' });
    const inFile = Number(/Number of packets:\s+(\d+)/.exec(c.stdout)?.[1] ?? -1);
    if (inFile !== stopped.result.packets || c.status !== 0) console.error(`  !! zerocopy file holds ${inFile} packets, reported ${stopped.result.packets} (capinfos exit ${c.status}: ${c.stderr.trim()})`);
  }
  for (const f of stopped.result.files) rmSync(f, { force: true }), rmSync(`${f}.json`, { force: true });
  const i = stopped.result;
  return { tool, rate, packets: i.packets, dropped: i.dropped, capturedBytes: i.bytes, sentBytes: sent, cpu, windowCpu, tcpdumpCpu, phases, rss: peak, roles: Object.fromEntries(perRole), helperRss: { start: first[0] ?? 0, peak: Math.max(...first), end: first[first.length - 1] ?? 0 } };
}

/** First EPB (pcapng) in the file yet? Walks block headers only. */
function hasPacket(file: string): boolean {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return false;
  }
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0xa1b2c3d4) return buf.length > 24 + 16; // classic pcap: a record after the header
  for (let off = 0; off + 12 <= buf.length; ) {
    const type = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    if (type === 6 || type === 3) return true;
    if (len < 12) return false;
    off += len;
  }
  return false;
}

const startReturned: number[] = [];

async function timeToFirstPacket(s: Services, dir: string, fromUi: boolean, format: 'pcapng' | 'pcap' = 'pcapng'): Promise<number> {
  // The app captures from the graph the user is looking at: its topology is recent.
  if (fromUi) await s.topology.discover();
  // Bounded ping at 200/s (up to 2 s) so a packet is always moments away.
  const ping = spawn('docker', ['exec', CLI, 'ping', '-c', '400', '-i', '0.005', ipOf(SRV)], { env: testEnv(), stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  const started = await s.backend.call('startCapture', { targets: [{ type: 'container', container: CLI }], output: { dir }, format });
  if (!started.ok) throw new Error(started.error.message);
  startReturned.push(performance.now() - t0);
  const file = started.result.files[0]!;
  let ms = NaN;
  for (let i = 0; i < 2000; i++) {
    if (hasPacket(file)) {
      ms = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await s.backend.call('stopCapture', { id: started.result.id });
  ping.kill();
  rmSync(file, { force: true });
  rmSync(`${file}.json`, { force: true });
  return ms;
}

const mb = (b: number) => (b / 1e6).toFixed(1);
const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : 'inf') : (a / b).toFixed(2));

/** node --cpu-prof for the helper: a wrapper the helper client runs as its "node". */
function profilingNode(dir: string): string {
  const w = join(dir, 'vsq2-node-prof.sh');
  writeFileSync(w, `#!/bin/sh\nexec ${process.execPath} --cpu-prof --cpu-prof-dir=${dir} "$@"\n`);
  chmodSync(w, 0o755);
  return w;
}

/** Self time per function over every .cpuprofile in dir, top n. */
function summariseProfiles(dir: string, n = 25): void {
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>; samples: number[]; timeDeltas: number[] };
    const byId = new Map(prof.nodes.map((x) => [x.id, x]));
    const self = new Map<string, number>();
    let total = 0;
    prof.samples.forEach((id, i) => {
      const cf = byId.get(id)!.callFrame;
      const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
      const dt = prof.timeDeltas[i] ?? 0;
      total += dt;
      self.set(key, (self.get(key) ?? 0) + dt);
    });
    const busy = total - (self.get('(idle) :0') ?? 0);
    console.log(`\nhelper CPU profile ${f}: ${(total / 1e6).toFixed(2)} s wall, ${(busy / 1e6).toFixed(2)} s not idle; self time, top ${n}:`);
    for (const [k, v] of [...self].sort((x, y) => y[1] - x[1]).slice(0, n)) console.log(`  ${(v / 1e3).toFixed(0).padStart(7)} ms  ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (private daemon, namespaces, tcpdump)');
  spawnSync('bash', [join(__dirname, '../support/daemon.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  removeSuiteContainers(SUITE);
  runContainer(SUITE, SRV);
  runContainer(SUITE, CLI);
  const dir = mkdtempSync(join(tmpdir(), 'vsq2-bench-'));
  const profDir = process.env.VSQ_BENCH_CPU_PROF;
  // VSQ_BENCH_HELPER: another helper bundle (e.g. one built from an older commit, for before/after).
  const helperPath = process.env.VSQ_BENCH_HELPER;
  const s = createServices({ env: testEnv(), capturesDir: dir, helperOptions: { ...(profDir ? { nodePath: profilingNode(profDir) } : {}), ...(helperPath ? { helperPath } : {}) } });
  try {
    const topo = await s.topology.discover();
    const veth = topo.containers.find((c) => c.name === CLI)!.interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    // Cold start: includes launching the helper.
    const cold = await timeToFirstPacket(s, dir, false);
    await new Promise((r) => setTimeout(r, 2500)); // the ping inside the container outlives docker exec's kill: let it finish
    const runs: Run[] = [];
    for (const rate of RATES)
      for (let rep = 0; rep < REPS; rep++) {
        // Rotate which goes first so none always gets the warmer cache.
        const order = TOOLS.map((_, i) => TOOLS[(i + rep) % TOOLS.length]!);
        for (const tool of order) {
          const r = tool === 'bare' ? await runBare(veth, dir, rate) : await runVethscope(s, dir, rate, tool);
          runs.push(r);
          console.error(`  ${tool.padEnd(9)} ${rate.padStart(4)}: ${r.packets} pkts, ${r.dropped} dropped, CPU whole ${r.cpu.toFixed(2)} s window ${r.windowCpu.toFixed(2)} s (tcpdump ${r.tcpdumpCpu.toFixed(2)}), ${mb(r.rss)} MB${r.helperRss ? ` helper ${mb(r.helperRss.start)}/${mb(r.helperRss.peak)}/${mb(r.helperRss.end)}` : ''}`);
        }
      }
    const ttfp = async (format: 'pcapng' | 'pcap') => {
      const warm: number[] = [];
      startReturned.length = 0;
      for (let i = 0; i < Number(values.ttfp); i++) warm.push(await timeToFirstPacket(s, dir, true, format));
      return { warm, uiStart: [...startReturned] };
    };
    const ng = await ttfp('pcapng');
    const zc = TOOLS.includes('zerocopy') ? await ttfp('pcap') : null;
    const cli: number[] = [];
    for (let i = 0; i < 3; i++) cli.push(await timeToFirstPacket(s, dir, false));

    const label = (r: string) => (r === '0' ? 'full' : r);
    console.log(`\ncapture benchmark: iperf3 ${SECONDS} s per run between two containers, host veth ${veth}, ${REPS} rep(s), CLK_TCK ${CLK}`);
    console.log('rate   tool        packets   dropped  captured/sent  CPU s whole  window (tcpdump)  helper start/stop, tcpdump start  peak RSS MB (sum)  helper RSS MB start/peak/end  peak RSS MB per process');
    for (const r of runs)
      console.log(
        `${label(r.rate).padEnd(6)} ${r.tool.padEnd(9)} ${String(r.packets).padStart(9)} ${String(r.dropped).padStart(9)}  ${(r.sentBytes ? (r.capturedBytes / r.sentBytes).toFixed(3) : '-').padStart(12)}  ${r.cpu.toFixed(2).padStart(11)}  ${r.windowCpu.toFixed(2).padStart(6)} (${r.tcpdumpCpu.toFixed(2).padStart(5)})  ${(r.phases ? `${r.phases.start.toFixed(2)}/${r.phases.stop.toFixed(2)}, ${r.phases.tcpdumpStart.toFixed(2)}` : '-').padStart(32)}  ${mb(r.rss).padStart(17)}  ${(r.helperRss ? `${mb(r.helperRss.start)}/${mb(r.helperRss.peak)}/${mb(r.helperRss.end)}` : '-').padStart(28)}  ${Object.entries(r.roles).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`,
      );
    console.log('\nratios tool/bare (per rate, summed over reps)                    targets: share >= 0.99, drops <=, CPU <= 1.5');
    for (const rate of RATES) {
      const sum = (tool: string, k: keyof Run) => runs.filter((r) => r.rate === rate && r.tool === tool).reduce((n, r) => n + (r[k] as number), 0);
      const frac = (tool: string) => sum(tool, 'capturedBytes') / sum(tool, 'sentBytes');
      for (const tool of TOOLS.filter((t) => t !== 'bare')) {
        const vs = runs.filter((r) => r.rate === rate && r.tool === tool);
        if (!vs.length) continue;
        const helperPeak = Math.max(...vs.map((r) => r.roles.helper ?? 0));
        console.log(
          `${label(rate).padEnd(6)} ${tool.padEnd(9)} share ${rate === 'idle' ? '  -  ' : ratio(frac(tool), frac('bare'))} packets ${ratio(sum(tool, 'packets'), sum('bare', 'packets'))}  drops ${sum(tool, 'dropped')} vs ${sum('bare', 'dropped')}  CPU whole ${ratio(sum(tool, 'cpu'), sum('bare', 'cpu'))} window ${ratio(sum(tool, 'windowCpu'), sum('bare', 'windowCpu'))}  peak RSS helper ${mb(helperPeak)} MB, helper+tcpdump ${mb(Math.max(...vs.map((r) => r.rss - (r.roles.backend ?? 0))))} MB vs bare ${mb(Math.max(...runs.filter((r) => r.rate === rate && r.tool === 'bare').map((r) => r.rss)))} MB`,
        );
      }
    }
    // Per capture: start-up, per second (idle), per byte (window minus the idle rate, over the bytes).
    const idle = (tool: string) => {
      const xs = runs.filter((r) => r.rate === 'idle' && r.tool === tool);
      return xs.length ? xs.reduce((n, r) => n + r.windowCpu, 0) / xs.length / SECONDS : null;
    };
    console.log('\nCPU breakdown per capture (averages): start-up | per second with no traffic | per GB captured (window minus the idle rate)');
    for (const tool of TOOLS) {
      const xs = runs.filter((r) => r.tool === tool);
      const perSec = idle(tool);
      const startUp = xs.reduce((n, r) => n + (r.phases ? r.phases.start + r.phases.tcpdumpStart : r.cpu - r.windowCpu), 0) / xs.length;
      const stop = xs.reduce((n, r) => n + (r.phases?.stop ?? 0), 0) / xs.length;
      const perGb = RATES.filter((r) => r !== 'idle')
        .map((rate) => {
          const ys = xs.filter((r) => r.rate === rate);
          const cpu = ys.reduce((n, r) => n + r.windowCpu - (perSec ?? 0) * SECONDS, 0);
          const gb = ys.reduce((n, r) => n + r.capturedBytes, 0) / 1e9;
          return `${label(rate)} ${(cpu / gb).toFixed(2)} s/GB`;
        })
        .join(', ');
      console.log(`  ${tool.padEnd(9)} start-up ${startUp.toFixed(3)} s${tool === 'bare' ? ' (and exit)' : `, stop ${stop.toFixed(3)} s`} | ${perSec === null ? 'n/a (run --rates idle,...)' : `${(perSec * 1000).toFixed(1)} ms/s`} | ${perGb}`);
    }
    const hs = runs.filter((r) => r.helperRss).map((r) => r.helperRss!);
    console.log(`helper RSS at the start of each vethscope run, in order (flat = nothing retained): ${hs.map((h) => mb(h.start)).join(' → ')} → end ${mb(hs[hs.length - 1]?.end ?? 0)} MB`);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
    const max = (xs: number[]) => Math.max(...xs).toFixed(0);
    console.log(`\nstart request -> first packet on disk (target < 300 ms):`);
    console.log(`  pcapng, helper already running, topology recent (app): median ${med(ng.warm)} ms, max ${max(ng.warm)} ms; startCapture itself returned after median ${med(ng.uiStart)} ms`);
    if (zc) console.log(`  pcap zero-copy, helper already running, topology recent (app): median ${med(zc.warm)} ms, max ${max(zc.warm)} ms; startCapture itself returned after median ${med(zc.uiStart)} ms`);
    console.log(`  helper already running, full discovery (CLI, ${(await s.topology.discover()).containers.length} containers on the daemon): median ${med(cli)} ms`);
    console.log(`  cold (helper launched by the request, full discovery): ${cold.toFixed(0)} ms`);
  } finally {
    await s.backend.close();
    removeSuiteContainers(SUITE);
    rmSync(dir, { recursive: true, force: true });
    if (profDir) summariseProfiles(profDir);
  }
}

main().catch((e) => {
  console.error(e);
  removeSuiteContainers(SUITE);
  process.exitCode = 1;
});
