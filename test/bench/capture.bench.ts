// Capture benchmark: vethscope (service → helper → tcpdump per interface → merged
// pcapng) against bare `tcpdump -w FILE` on the same host veth, alternating, while
// iperf3 pushes bulk TCP between two of our own containers (inside their namespaces,
// bounded in time). Reports packets, kernel drops, CPU seconds, peak RSS and ratios,
// then the time from the start request to the first packet on disk.
// usage: npm run bench:capture -- [--rates 200M,1G,0] [--seconds 4] [--reps 1]   (0 = full rate)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBackend, type Services } from '../../electron/backend/create-backend';
import { docker, dockerTry, runContainer, removeSuiteContainers, testEnv } from '../support/env';

const SUITE = 'vsq-bench';
const { values } = parseArgs({ options: { rates: { type: 'string', default: '200M,1G,0' }, seconds: { type: 'string', default: '4' }, reps: { type: 'string', default: '1' }, ttfp: { type: 'string', default: '7' } } });
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
  tool: 'bare' | 'vethscope';
  rate: string;
  packets: number;
  dropped: number;
  capturedBytes: number;
  sentBytes: number;
  cpu: number;
  /** Of `cpu`, what the tcpdump processes spent (vethscope: the rest is the helper's merge/write). */
  tcpdumpCpu: number;
  rss: number;
  /** Peak RSS per process role (helper, tcpdump#n, backend). */
  roles: Record<string, number>;
  /** vethscope: helper RSS at start, peak, end of the run. */
  helperRss?: { start: number; peak: number; end: number };
}

const pidOf = (name: string) => Number(docker('inspect', '-f', '{{.State.Pid}}', name));
const ipOf = (name: string) => docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);

/** iperf3 server (one test) and client inside the containers' namespaces; resolves bytes sent. */
async function iperf(rate: string, seconds: number): Promise<number> {
  const server = spawn('nsenter', ['-t', String(pidOf('vsq-bench-srv')), '-n', 'iperf3', '-s', '-1', '-p', '5299'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const args = ['-t', String(pidOf('vsq-bench-cli')), '-n', 'iperf3', '-c', ipOf('vsq-bench-srv'), '-p', '5299', '-t', String(seconds), '-J'];
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
  const t = spawn('tcpdump', ['-i', veth, '-n', '-s', '262144', '-B', '65536', '-w', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  t.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 100 && !err.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 20));
  const rss = rssSampler(() => [{ pid: t.pid!, role: 'tcpdump' }]);
  const sent = await iperf(rate, SECONDS);
  const cpu = procStat(t.pid!)!.cpu;
  const closed = new Promise((r) => t.on('close', r));
  t.kill('SIGINT');
  await closed;
  const { peak, perRole } = rss.stop();
  const packets = Number(/(\d+) packets captured/.exec(err)?.[1] ?? 0);
  const dropped = Number(/(\d+) packets dropped by kernel/.exec(err)?.[1] ?? 0);
  const size = statSync(file).size;
  rmSync(file);
  return { tool: 'bare', rate, packets, dropped, capturedBytes: size - 24 - 16 * packets, sentBytes: sent, cpu, tcpdumpCpu: cpu, rss: peak, roles: Object.fromEntries(perRole) };
}

async function runVethscope(s: Services, dir: string, rate: string): Promise<Run> {
  const helperPid = s.helper.helperPid!;
  const before = procStat(helperPid)!;
  const started = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsq-bench-cli' }], output: { dir } });
  if (!started.ok) throw new Error(started.error.message);
  // The helper first (its series), its tcpdumps (setpriv/nsenter exec into tcpdump: same pid), the backend (this process).
  const rss = rssSampler(() => [{ pid: helperPid, role: 'helper' }, ...descendants(helperPid).map((pid, i) => ({ pid, role: `tcpdump#${i}` })), { pid: process.pid, role: 'backend' }]);
  const sent = await iperf(rate, SECONDS);
  const tcpdumpCpu = descendants(helperPid).reduce((n, p) => n + (procStat(p)?.cpu ?? 0), 0);
  const stopped = await s.backend.call('stopCapture', { id: started.result.id });
  if (!stopped.ok) throw new Error(stopped.error.message);
  const { peak, perRole, first } = rss.stop();
  // tcpdump has been reaped by the helper by now: its CPU shows in the helper's children's time.
  const after = procStat(helperPid)!;
  const cpu = after.cpu + after.childCpu - before.cpu - before.childCpu;
  for (const f of stopped.result.files) rmSync(f, { force: true }), rmSync(`${f}.json`, { force: true });
  const i = stopped.result;
  return { tool: 'vethscope', rate, packets: i.packets, dropped: i.dropped, capturedBytes: i.bytes, sentBytes: sent, cpu, tcpdumpCpu, rss: peak, roles: Object.fromEntries(perRole), helperRss: { start: first[0] ?? 0, peak: Math.max(...first), end: first[first.length - 1] ?? 0 } };
}

/** First EPB (pcapng) in the file yet? Walks block headers only. */
function hasPacket(file: string): boolean {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return false;
  }
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

async function timeToFirstPacket(s: Services, dir: string, fromUi: boolean): Promise<number> {
  // The app captures from the graph the user is looking at: its topology is recent.
  if (fromUi) await s.topology.discover();
  // Bounded ping at 200/s (up to 2 s) so a packet is always moments away.
  const ping = spawn('docker', ['exec', 'vsq-bench-cli', 'ping', '-c', '400', '-i', '0.005', ipOf('vsq-bench-srv')], { env: testEnv(), stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  const started = await s.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsq-bench-cli' }], output: { dir } });
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

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root (private daemon, namespaces, tcpdump)');
  spawnSync('bash', [join(__dirname, '../support/daemon.sh'), 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  removeSuiteContainers(SUITE);
  runContainer(SUITE, 'vsq-bench-srv');
  runContainer(SUITE, 'vsq-bench-cli');
  const dir = mkdtempSync(join(tmpdir(), 'vsq-bench-'));
  const s = createBackend({ env: testEnv(), capturesDir: dir });
  try {
    const topo = await s.topology.discover();
    const veth = topo.containers.find((c) => c.name === 'vsq-bench-cli')!.interfaces.find((i) => i.name === 'eth0')!.hostPeer!;
    // Cold start: includes launching the helper.
    const cold = await timeToFirstPacket(s, dir, false);
    const runs: Run[] = [];
    for (const rate of RATES)
      for (let rep = 0; rep < REPS; rep++) {
        // Alternate which goes first so neither always gets the warmer cache.
        const order = rep % 2 === 0 ? (['bare', 'vethscope'] as const) : (['vethscope', 'bare'] as const);
        for (const tool of order) {
          const r = tool === 'bare' ? await runBare(veth, dir, rate) : await runVethscope(s, dir, rate);
          runs.push(r);
          console.error(`  ${tool.padEnd(9)} ${rate.padStart(4)}: ${r.packets} pkts, ${r.dropped} dropped, ${r.cpu.toFixed(2)} s CPU (tcpdump ${r.tcpdumpCpu.toFixed(2)}), ${mb(r.rss)} MB${r.helperRss ? ` helper ${mb(r.helperRss.start)}/${mb(r.helperRss.peak)}/${mb(r.helperRss.end)}` : ''}`);
        }
      }
    const warm: number[] = [];
    const cli: number[] = [];
    startReturned.length = 0;
    for (let i = 0; i < Number(values.ttfp); i++) warm.push(await timeToFirstPacket(s, dir, true));
    const uiStart = [...startReturned];
    startReturned.length = 0;
    for (let i = 0; i < 3; i++) cli.push(await timeToFirstPacket(s, dir, false));

    console.log(`\ncapture benchmark: iperf3 ${SECONDS} s per run between two containers, host veth ${veth}, ${REPS} rep(s), CLK_TCK ${CLK}`);
    console.log('rate   tool       packets   dropped  captured/sent  CPU s  (tcpdump)  peak RSS MB (sum)  helper RSS MB start/peak/end  peak RSS MB per process');
    for (const r of runs)
      console.log(
        `${(r.rate === '0' ? 'full' : r.rate).padEnd(6)} ${r.tool.padEnd(9)} ${String(r.packets).padStart(9)} ${String(r.dropped).padStart(9)}  ${(r.capturedBytes / r.sentBytes).toFixed(3).padStart(12)}  ${r.cpu.toFixed(2).padStart(5)}  (${r.tcpdumpCpu.toFixed(2).padStart(5)})    ${mb(r.rss).padStart(6)}            ${(r.helperRss ? `${mb(r.helperRss.start)}/${mb(r.helperRss.peak)}/${mb(r.helperRss.end)}` : '-').padStart(17)}        ${Object.entries(r.roles).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`,
      );
    console.log('\nratios vethscope/bare (per rate, summed over reps)        target');
    for (const rate of RATES) {
      const sum = (tool: string, k: keyof Run) => runs.filter((r) => r.rate === rate && r.tool === tool).reduce((n, r) => n + (r[k] as number), 0);
      const frac = (tool: string) => sum(tool, 'capturedBytes') / sum(tool, 'sentBytes');
      const vs = runs.filter((r) => r.rate === rate && r.tool === 'vethscope');
      const helperPeak = Math.max(...vs.map((r) => r.roles.helper ?? 0));
      console.log(
        `${(rate === '0' ? 'full' : rate).padEnd(6)} captured bytes share ${ratio(frac('vethscope'), frac('bare'))} packets ${ratio(sum('vethscope', 'packets'), sum('bare', 'packets'))} (>= 0.99)  drops ${sum('vethscope', 'dropped')} vs ${sum('bare', 'dropped')} (<=)  CPU ${ratio(sum('vethscope', 'cpu'), sum('bare', 'cpu'))} (<= 1.5)  peak RSS helper ${mb(helperPeak)} MB (< 200), helper+tcpdumps ${mb(Math.max(...vs.map((r) => r.rss - (r.roles.backend ?? 0))))} MB vs bare ${mb(Math.max(...runs.filter((r) => r.rate === rate && r.tool === 'bare').map((r) => r.rss)))} MB`,
      );
    }
    const hs = runs.filter((r) => r.helperRss).map((r) => r.helperRss!);
    console.log(`helper RSS at the start of each vethscope run, in order (flat = nothing retained): ${hs.map((h) => mb(h.start)).join(' → ')} → end ${mb(hs[hs.length - 1]?.end ?? 0)} MB`);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
    const max = (xs: number[]) => Math.max(...xs).toFixed(0);
    console.log(`\nstart request -> first packet on disk (target < 300 ms):`);
    console.log(`  helper already running, topology recent (app): median ${med(warm)} ms, max ${max(warm)} ms; startCapture itself returned after median ${med(uiStart)} ms`);
    console.log(`  helper already running, full discovery (CLI, ${(await s.topology.discover()).containers.length} containers on the daemon): median ${med(cli)} ms`);
    console.log(`  cold (helper launched by the request, full discovery): ${cold.toFixed(0)} ms`);
  } finally {
    await s.backend.close();
    removeSuiteContainers(SUITE);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  removeSuiteContainers(SUITE);
  process.exitCode = 1;
});
