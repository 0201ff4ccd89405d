// Discovery benchmark: N labelled containers on the private daemon, then in one run
//   1. vethscope's full topology (median of --runs, after one warm-up),
//   2. the manual method: `docker exec C cat /sys/class/net/eth0/iflink` + a host lookup, per container,
//   3. a per-container `nsenter --net=/proc/PID/ns/net ip -j link` loop,
// each checked for the same answer, then prints ms, ratios and peak RSS. Removes its containers.
// --engines K: then starts K containers each of rootful Podman (plus a pod of two), LXC,
// systemd-nspawn and containerd, and measures the full topology again with every engine
// running against Docker alone (and the host-file namers alone).
// usage: npm run bench:discovery -- [--n 100] [--runs 7] [--whole-runs 11] [--keep] [--engines 10]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { cpus, loadavg } from 'node:os';
import { createServices } from '../../electron/backend/create-backend';
import { listDockerContainers } from '../../electron/engines/docker';
import { createDockerClient, dockerodeApi } from '../../electron/backend/topology/dockerode-api';
import { scanNamespaces } from '../../electron/kernel/namespaces';
import { execFileResult, mapPool, requireTool } from '../../electron/util/exec';
import { readHostContainers } from '../../electron/engines/host-containers';
import { startManyEngines } from '../integration/engines/many';
import { median } from './stats';

const LABEL = 'vethscope.test=vsd-bench';
const IMAGE = 'vethscope-test/busybox:1';
const { values } = parseArgs({ options: { n: { type: 'string', default: '100' }, runs: { type: 'string', default: '7' }, keep: { type: 'boolean', default: false }, engines: { type: 'string', default: '0' }, 'whole-runs': { type: 'string', default: '11' } } });
const N = Number(values.n);
const RUNS = Number(values.runs);
/** Whole-process runs: each takes ~0.3 s, and this 2-core machine's speed drifts by a third from minute to minute. */
const WHOLE_RUNS = Number(values['whole-runs']);
const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///tmp/vethscope-test/docker.sock';
const env = { ...process.env, DOCKER_HOST };
const docker = new Docker({ socketPath: DOCKER_HOST.replace(/^unix:\/\//, '') });

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => x.toFixed(1);

async function removeBenchContainers(): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  await mapPool(list, 4, (c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined));
}

async function startContainers(): Promise<Map<string, number>> {
  const t0 = performance.now();
  const names = Array.from({ length: N }, (_, i) => `vsd-bench-${i}`);
  await mapPool(names, 4, async (name) => {
    const c = await docker.createContainer({ name, Image: IMAGE, Cmd: ['sleep', '100000'], Labels: { 'vethscope.test': 'vsd-bench' } });
    await c.start();
  });
  const pids = new Map<string, number>();
  for (const name of names) pids.set(name, (await docker.getContainer(name).inspect()).State.Pid);
  console.log(`started ${N} containers in ${fmt(ms(t0) / 1000)} s`);
  return pids;
}

/** Idle and total jiffies of all CPUs (/proc/stat). */
function cpuTimes(): { idle: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
}

/**
 * After 100 containers start, dockerd and containerd keep working for a while: wait (up to 20 s)
 * for a second in which the CPUs are at least 85% idle, so the timings measure vethscope.
 */
async function settle(): Promise<string> {
  const t0 = performance.now();
  for (;;) {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 1000));
    const b = cpuTimes();
    const idle = (b.idle - a.idle) / Math.max(1, b.total - a.total);
    const waited = (performance.now() - t0) / 1000;
    if (idle >= 0.85 || waited >= 20) return `settled: ${(idle * 100).toFixed(0)}% idle over the last second, after ${waited.toFixed(0)} s`;
  }
}

/** vethscope: container name -> host veth, from one full topology. */
async function vethscopeRun(): Promise<{ ms: number; peers: Map<string, string>; elapsedMs: number; warnings: number }> {
  const { backend } = createServices({ env });
  const t0 = performance.now();
  const res = await backend.call('getTopology', {});
  const took = ms(t0);
  await backend.close();
  if (!res.ok) throw new Error(res.error.message);
  const peers = new Map<string, string>();
  for (const c of res.result.containers) {
    const hp = c.interfaces.find((i) => i.name === 'eth0')?.hostPeer;
    if (hp) peers.set(c.name, hp);
  }
  return { ms: took, peers, elapsedMs: res.result.elapsedMs, warnings: res.result.warnings.length };
}

/** The manual method, as scripts and dockerveth do it: one exec per container, then find the host link. */
function manualRun(names: string[]): { ms: number; peers: Map<string, string> } {
  const peers = new Map<string, string>();
  const t0 = performance.now();
  for (const name of names) {
    const iflink = execFileSync('docker', ['exec', name, 'cat', '/sys/class/net/eth0/iflink'], { env, encoding: 'utf8' }).trim();
    const line = execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').find((l) => l.startsWith(`${iflink}:`));
    const m = line && /^\d+: ([^:@]+)/.exec(line);
    if (m) peers.set(name, m[1]!);
  }
  return { ms: ms(t0), peers };
}

/** A per-container nsenter loop (PIDs known beforehand), plus one host `ip -j link` to pair. */
async function nsenterRun(pids: Map<string, number>): Promise<{ ms: number; peers: Map<string, string> }> {
  const ip = requireTool('ip');
  const nsenter = requireTool('nsenter');
  const t0 = performance.now();
  const host = JSON.parse((await execFileResult(ip, ['-j', 'link', 'show'])).stdout) as Array<{ ifindex: number; ifname: string }>;
  const byIndex = new Map(host.map((l) => [l.ifindex, l.ifname]));
  const peers = new Map<string, string>();
  for (const [name, pid] of pids) {
    const out = (await execFileResult(nsenter, [`--net=/proc/${pid}/ns/net`, '--', ip, '-j', 'link', 'show'])).stdout;
    const eth0 = (JSON.parse(out) as Array<{ ifname: string; link_index?: number }>).find((l) => l.ifname === 'eth0');
    const hp = eth0?.link_index !== undefined ? byIndex.get(eth0.link_index) : undefined;
    if (hp) peers.set(name, hp);
  }
  return { ms: ms(t0), peers };
}

/** Cold CLI: a fresh process running `vethscope topology --json`, its wall time and peak RSS. */
function coldCli(runs = 5): { loadMs: number; ms: number; maxRssMb: number } {
  const bundle = resolve(__dirname, '../../dist/cli.cjs');
  // Loaded as the launcher loads it: through V8's code cache (bin/load-bundle.cjs). The cache holds
  // what the run that wrote it compiled; one left by another command (a test's topology without
  // Docker, say) would make every run here compile the Docker client again. The first run below
  // writes it afresh, as a person's first `vethscope topology` does.
  rmSync(`${bundle}.v8cache`, { force: true });
  const loader = resolve(__dirname, '../../bin/load-bundle.cjs');
  const script = `const t0=performance.now();const cli=require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(bundle)});const t1=performance.now();cli.runCli(['topology','--json'],{out(){},err(t){process.stderr.write(t)},isTTY:false}).then((s)=>{process.stdout.write(JSON.stringify({s,load:t1-t0,ms:performance.now()-t1,rss:process.resourceUsage().maxRSS}))})`;
  const all = Array.from({ length: runs }, () => {
    const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    const o = JSON.parse(r.stdout) as { s: number; load: number; ms: number; rss: number };
    if (o.s !== 0) throw new Error(`cli exited ${o.s}: ${r.stderr}`);
    return o;
  });
  return { loadMs: median(all.map((o) => o.load)), ms: median(all.map((o) => o.ms)), maxRssMb: Math.max(...all.map((o) => o.rss)) / 1024 };
}

/**
 * The whole process as a person types it: `vethscope topology --json` through the launcher
 * (node's start, the bundle, discovery, the JSON, the exit), wall time from spawn to exit, the
 * median of `times`; beside it `node -e 0` measured the same way, for the ratio. Each is started
 * by a small bash, as from a shell: forking this 150 MB bench process itself added 15-20 ms.
 */
function wholeProcess(times = WHOLE_RUNS, procEnv: NodeJS.ProcessEnv = env): { ms: number; minMs: number; nodeMs: number; helpMs: number } {
  const launcher = resolve(__dirname, '../../bin/vethscope.cjs');
  const q = (x: string) => `'${x.replace(/'/g, `'\\''`)}'`;
  const node = q(process.execPath);
  // EPOCHREALTIME (bash 5): microseconds, without starting a process to read the clock.
  const script = [
    't() { local label=$1; shift; local s=$EPOCHREALTIME; "$@" > /dev/null || exit 3; local e=$EPOCHREALTIME; echo "$label $(( ${e/./} - ${s/./} ))"; }',
    `${node} ${q(launcher)} topology --json > /dev/null || exit 3`, // writes the code cache, as any first run does
    `for i in $(seq ${times}); do t ours ${node} ${q(launcher)} topology --json; t bare ${node} -e 0; t help ${node} ${q(launcher)} --help; done`,
  ].join('\n');
  const r = spawnSync('/bin/bash', ['-c', script], { env: procEnv, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`whole-process runs failed (${r.status}): ${r.stderr.slice(0, 300)}`);
  const of = (kind: string) => r.stdout.split('\n').filter((l) => l.startsWith(`${kind} `)).map((l) => Number(l.split(' ')[1]) / 1000);
  const ours = of('ours');
  return { ms: median(ours), minMs: Math.min(...ours), nodeMs: median(of('bare')), helpMs: median(of('help')) };
}

/**
 * NODE_EXTRA_CA_CERTS makes every node process parse that certificate file before any of its
 * code runs (measured in this sandbox, which sets it: node -e 0 takes 130 ms instead of 40).
 * vethscope speaks no TLS and cannot opt out of what node does first, so the whole process is
 * also measured without it, as on a machine that does not set it.
 */
const withoutExtraCerts = (): NodeJS.ProcessEnv | null => {
  if (!process.env.NODE_EXTRA_CA_CERTS) return null;
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = env as NodeJS.ProcessEnv;
  return rest;
};

/** The two halves of a topology alone, and the scan with and without the sysfs fast path. */
async function parts(): Promise<{ docker: number; scanFast: number; scanIp: number; viaSysfs: number; viaIp: number }> {
  const client = createDockerClient(env);
  const dockerMs: number[] = [];
  const fastMs: number[] = [];
  const ipMs: number[] = [];
  let viaSysfs = 0;
  let viaIp = 0;
  for (let i = 0; i < RUNS; i++) {
    let t0 = performance.now();
    await listDockerContainers(dockerodeApi(client), DOCKER_HOST);
    dockerMs.push(ms(t0));
    t0 = performance.now();
    const scan = await scanNamespaces();
    fastMs.push(ms(t0));
    viaSysfs = scan.namespaces.filter((n) => n.source === 'sysfs').length;
    viaIp = scan.namespaces.filter((n) => n.source === 'ip').length;
  }
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await scanNamespaces({ sysfs: false });
    ipMs.push(ms(t0));
  }
  return { docker: median(dockerMs), scanFast: median(fastMs), scanIp: median(ipMs), viaSysfs, viaIp };
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

function agree(label: string, expected: Map<string, string>, got: Map<string, string>): string {
  let same = 0;
  for (const [name, veth] of expected) if (got.get(name) === veth) same++;
  return `${label}: ${same}/${expected.size} agree with vethscope`;
}

/** Host-file naming alone, as a backend does it while Docker's API answers (Docker's state files unread); median of RUNS. */
function namersMs(): { ms: number; named: number } {
  const times: number[] = [];
  let named = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    named = readHostContainers({ dockerStateFiles: false }).containers.length;
    times.push(ms(t0));
  }
  return { ms: median(times), named };
}

/** The same topology with K containers of every other engine running too, against Docker alone. */
async function withEngines(k: number, dockerAloneMs: number): Promise<void> {
  const alone = namersMs();
  const t0 = performance.now();
  const engines = await startManyEngines(k);
  console.log(`
started ${Object.entries(engines.counts).map(([e, n]) => `${n} ${e}`).join(', ')} in ${fmt(ms(t0) / 1000)} s`);
  try {
    await vethscopeRun();
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await vethscopeRun());
    const allMs = median(runs.map((r) => r.ms));
    const extra = Object.values(engines.counts).reduce((a, b) => a + b, 0);
    const namers = namersMs();
    console.log(`every engine: ${N} Docker + ${extra} others: full topology median ${fmt(allMs)} ms over ${RUNS} runs = ${fmt(allMs / dockerAloneMs)}x Docker alone (${fmt(dockerAloneMs)} ms); per container ${fmt(allMs / (N + extra))} ms`);
    console.log(`  host-file namers alone (every engine, ${namers.named} containers named): median ${fmt(namers.ms)} ms, against ${fmt(alone.ms)} ms with only Docker's ${alone.named} tasks running`);
  } finally {
    await engines.stop();
  }
}

async function main(): Promise<void> {
  await removeBenchContainers();
  console.log(`load average before: ${load()} (${cpus().length} CPUs)`);
  try {
    const pids = await startContainers();
    console.log(await settle());
    const names = [...pids.keys()];
    await vethscopeRun(); // warm-up: JIT, docker client
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await vethscopeRun());
    const ours = runs[runs.length - 1]!;
    const benchPeers = new Map([...ours.peers].filter(([n]) => n.startsWith('vsd-bench-')));
    const oursMs = median(runs.map((r) => r.ms));
    const split = await parts();
    const cli = coldCli();
    const whole = wholeProcess();
    const nsenter = await nsenterRun(pids);
    const manual = manualRun(names);
    console.log(`\ncontainers: ${N} (resolved by vethscope: ${benchPeers.size}; warnings: ${ours.warnings})`);
    console.log(`vethscope full topology: median ${fmt(oursMs)} ms over ${RUNS} runs (min ${fmt(Math.min(...runs.map((r) => r.ms)))}, max ${fmt(Math.max(...runs.map((r) => r.ms)))}); per container ${fmt(oursMs / N)} ms`);
    console.log(`  docker list+inspect alone: median ${fmt(split.docker)} ms; namespace scan alone: median ${fmt(split.scanFast)} ms (${split.viaSysfs} namespaces via sysfs, ${split.viaIp} via ip)`);
    console.log(`  namespace scan with ip in every namespace (no sysfs fast path): median ${fmt(split.scanIp)} ms = ${fmt(split.scanIp / split.scanFast)}x the fast path`);
    console.log(`vethscope cold CLI (new process, topology --json, median of 5): loading the bundle ${fmt(cli.loadMs)} ms, then the command ${fmt(cli.ms)} ms; peak RSS ${fmt(cli.maxRssMb)} MB`);
    const wholeLine = (w: typeof whole, how: string) =>
      console.log(`whole process \`vethscope topology --json\` ${how}(spawn to exit, median of ${WHOLE_RUNS}, min ${fmt(w.minMs)}): ${fmt(w.ms)} ms; node -e 0: ${fmt(w.nodeMs)} ms (${fmt(w.ms / w.nodeMs)}x); \`vethscope --help\`: ${fmt(w.helpMs)} ms (${fmt(w.helpMs / w.nodeMs)}x node); target < 250 ms: ${w.ms < 250 ? 'met' : 'MISSED'}`);
    wholeLine(whole, process.env.NODE_EXTRA_CA_CERTS ? 'with this environment\'s NODE_EXTRA_CA_CERTS ' : '');
    const plainEnv = withoutExtraCerts();
    const plain = plainEnv ? wholeProcess(WHOLE_RUNS, plainEnv) : null;
    if (plain) wholeLine(plain, 'without NODE_EXTRA_CA_CERTS ');
    console.log(`nsenter + ip -j link loop: ${fmt(nsenter.ms)} ms (${fmt(nsenter.ms / N)} ms/container) = ${fmt(nsenter.ms / oursMs)}x vethscope`);
    console.log(`manual method (docker exec cat iflink + ip link): ${fmt(manual.ms)} ms (${fmt(manual.ms / N)} ms/container) = ${fmt(manual.ms / oursMs)}x vethscope`);
    console.log(agree('manual method', benchPeers, manual.peers));
    console.log(agree('nsenter loop', benchPeers, nsenter.peers));
    console.log(`bench process peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
    console.log(`load average after: ${load()}`);
    const note = N === 100 ? '' : ' (the targets are set for 100 containers)';
    const wholeVerdict = (w: typeof whole) => (w.ms < 250 ? 'met' : 'MISSED');
    console.log(
      `targets at ${N} containers${note}: whole process < 250 ms: ${wholeVerdict(whole)}${plain ? ` with NODE_EXTRA_CA_CERTS, ${wholeVerdict(plain)} without` : ''}; in-process < 250 ms: ${oursMs < 250 ? 'met' : 'MISSED'}; >= 20x the manual method: ${manual.ms / oursMs >= 20 ? 'met' : 'MISSED'}`,
    );
    if (Number(values.engines) > 0) await withEngines(Number(values.engines), oursMs);
  } finally {
    if (!values.keep) await removeBenchContainers();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
