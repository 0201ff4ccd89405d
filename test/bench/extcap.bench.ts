// Extcap listing benchmark: N labelled containers on the private daemon, then, in one run
// and interleaved (so a busy machine weighs on every column alike), new processes timed
// from spawn to exit, as Wireshark starts them:
//   node -e 0                                   the floor: starting node at all
//   launcher --extcap-interfaces                the listing as Wireshark runs it (sh, then node and the fast entry)
//   launcher --extcap-config (one interface)    the options call Wireshark makes per interface (sh prints the listing's file)
//   extcap.cjs --extcap-config                  the same call answered by node (no options file: the cache)
//   vethscope extcap --extcap-interfaces        the listing through the full CLI bundle (what the fast entry saves)
// The first listing after a quiet spell also reads every process's /proc (the host files); the
// listings within HOST_TTL_MS of it reuse that: both are timed (cold: the cache removed first).
// checks that the listing names what the Backend's topology names, and times `tshark -D` end to end (one listing plus one options call per interface). Prints
// medians and the ratio of each to `node -e 0`. Not a test: nothing here asserts a time.
// usage: npm run bench:extcap -- [--n 100] [--runs 15] [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { createBackend } from '../../electron/backend/create-backend';
import { extcapInterfaces, interfacesOutput } from '../../electron/front-doors/extcap/interfaces';
import { fromTopology } from '../../electron/front-doors/extcap/listing';
import { mapPool } from '../../electron/util/exec';
import { median } from './stats';

const { values } = parseArgs({ options: { n: { type: 'string', default: '100' }, runs: { type: 'string', default: '15' }, keep: { type: 'boolean', default: false } } });
const N = Number(values.n);
const RUNS = Number(values.runs);
const SUITE = 'vsx-extcap-bench';
const ROOT = resolve(__dirname, '../..');
const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///tmp/vethscope-test/docker.sock';
const home = mkdtempSync(join(tmpdir(), 'vsx-extcap-bench-'));
const env = { ...process.env, DOCKER_HOST, HOME: home, XDG_RUNTIME_DIR: '' };
const docker = new Docker({ socketPath: DOCKER_HOST.replace(/^unix:\/\//, '') });

const fmt = (x: number) => x.toFixed(0);

async function removeBenchContainers(): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [`vethscope.test=${SUITE}`] } });
  await mapPool(list, 4, (c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined));
}

async function startContainers(): Promise<void> {
  const t0 = performance.now();
  const names = Array.from({ length: N }, (_, i) => `vsx-xb-${i}`);
  await mapPool(names, 4, async (name) => {
    const c = await docker.createContainer({ name, Image: 'vethscope-test/busybox:1', Cmd: ['sleep', '100000'], Labels: { 'vethscope.test': SUITE } });
    await c.start();
  });
  console.log(`started ${N} containers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const rusage = join(home, 'rusage');

/**
 * Wall time of one new process, spawn to exit (what Wireshark waits for), and the CPU it used
 * (user + system, from GNU time: on a machine others load, CPU moves less than wall time).
 */
function timed(argv: string[]): { ms: number; cpuMs: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', rusage, ...argv], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [user = 0, sys = 0] = readFileSync(rusage, 'utf8').trim().split(/\s+/).map(Number);
  return { ms, cpuMs: (user + sys) * 1000, out: r.stdout };
}

async function main(): Promise<void> {
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (${cpus().length} CPUs)`);
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  await removeBenchContainers();
  try {
    await startContainers();
    const extcap = join(ROOT, 'dist/extcap.cjs');
    const cli = join(ROOT, 'bin/vethscope.cjs');
    const install = spawnSync(process.execPath, [cli, 'extcap', 'install', '--user'], { env, encoding: 'utf8' });
    if (install.status !== 0) throw new Error(install.stderr);
    const launcher = /installed\s+(\S+)/.exec(install.stdout)![1]!;
    const columns: Record<string, string[]> = {
      'node -e 0': [process.execPath, '-e', '0'],
      'launcher --extcap-interfaces': [launcher, '--extcap-interfaces', '--extcap-version=4.0'],
      'launcher --extcap-config (options file)': [launcher, '--extcap-config', '--extcap-interface', 'vethscope-vsx-xb-7'],
      'extcap.cjs --extcap-config (node)': [process.execPath, extcap, '--extcap-interface', 'vethscope-vsx-xb-7', '--extcap-config'],
      'full CLI bundle --extcap-interfaces': [process.execPath, cli, 'extcap', '--extcap-interfaces', '--extcap-version=4.0'],
    };
    const listed = timed(columns['launcher --extcap-interfaces']!).out;
    const benchLines = (text: string) => text.split('\n').filter((l) => l.startsWith('interface {value=vethscope-vsx-xb-')).sort();
    const ours = benchLines(listed).length;
    if (ours !== N) throw new Error(`the listing names ${ours} of the ${N} bench containers`);
    // The Backend's own topology, named the same way: the fast listing must agree with it.
    const backend = createBackend({ env });
    const topo = await backend.call('getTopology', {});
    await backend.close();
    if (!topo.ok) throw new Error(topo.error.message);
    const byBackend = interfacesOutput('x', extcapInterfaces(fromTopology(topo.result.containers)));
    if (benchLines(byBackend).join('\n') !== benchLines(listed).join('\n')) throw new Error('the fast listing and the Backend name the bench containers differently');
    const others = (text: string) => new Set(text.split('\n').filter((l) => l.startsWith('interface ') && !l.includes('vsx-xb-')));
    const [a, b] = [others(listed), others(byBackend)];
    const differ = [...a].filter((l) => !b.has(l)).length + [...b].filter((l) => !a.has(l)).length;
    const times = new Map([...Object.keys(columns), 'launcher --extcap-interfaces, cold'].map((k) => [k, [] as Array<{ ms: number; cpuMs: number }>]));
    const cache = join(home, '.cache/vethscope');
    for (let i = 0; i < RUNS; i++) {
      for (const [k, argv] of Object.entries(columns)) times.get(k)!.push(timed(argv));
      rmSync(cache, { recursive: true, force: true });
      times.get('launcher --extcap-interfaces, cold')!.push(timed(columns['launcher --extcap-interfaces']!));
    }
    const floor = median(times.get('node -e 0')!.map((x) => x.ms));
    const cpuFloor = median(times.get('node -e 0')!.map((x) => x.cpuMs));
    const total = listed.split('\n').filter((l) => l.startsWith('interface ')).length;
    console.log(`\n${N} bench containers named exactly as the Backend names them (${total} interfaces listed; of the other engineers' containers ${differ} line(s) differ from the Backend's topology taken moments later); median of ${RUNS} interleaved runs, spawn to exit:`);
    for (const [k, runs] of times) {
      const xs = runs.map((x) => x.ms);
      const cpu = median(runs.map((x) => x.cpuMs));
      console.log(`  ${k.padEnd(40)} ${fmt(median(xs)).padStart(5)} ms  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})  = ${(median(xs) / floor).toFixed(2)}x node -e 0 (${fmt(median(xs) - floor)} ms above it); CPU ${fmt(cpu)} ms = ${(cpu / cpuFloor).toFixed(2)}x node's`);
    }
    // Wireshark's own view: tshark -D runs the listing and one options call per interface.
    const d = [0, 1, 2].map(() => timed(['tshark', '-D']).ms);
    console.log(`  tshark -D with the extcap installed      ${fmt(median(d)).padStart(5)} ms  (one listing + ${total} options calls; tshark's own start included)`);
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    if (!values.keep) await removeBenchContainers();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
