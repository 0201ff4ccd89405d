// Remote discovery benchmark (issue 15): two "remote hosts" built here (test/support/remote-host.sh),
// N containers on each, then in one run
//   1. local discovery of this machine (the same TopologyService the app uses),
//   2. one remote host's discovery (one round trip over its ControlMaster),
//   3. both remote hosts at once (what a refresh of the app's host list costs),
// first with the fixed command set, then with vethscope's helper installed on both hosts (an
// overlay of /usr/lib in each host's own mount namespace), medians of --runs after a warm-up,
// printed with ratios against the local discovery measured in the same run. Also the clock
// offset each host reports (the same kernel clock here: it should be near 0).
// usage: npm run bench:remote -- [--n 10] [--runs 7]
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createServices } from '../../electron/backend/create-backend';
import { buildLab, destroyLab, onHost, remoteDocker, type RemoteLab } from '../support/remote-host';
import { median } from './stats';

const { values } = parseArgs({ options: { n: { type: 'string', default: '10' }, runs: { type: 'string', default: '7' } } });
const N = Number(values.n);
const RUNS = Number(values.runs);
const ROOT = resolve(__dirname, '../..');

const fmt = (x: number) => x.toFixed(1);

async function timeRuns(fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up: the ControlMaster handshake, caches
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
}

function installHelper(lab: RemoteLab): void {
  for (const h of lab.hosts) {
    const d = `/tmp/vethscope-remote/${h.name}`;
    onHost(h, 'sh', '-c', `mkdir -p ${d}/ov/up ${d}/ov/work && mount -t overlay overlay -o lowerdir=/usr/lib,upperdir=${d}/ov/up,workdir=${d}/ov/work /usr/lib && mkdir -m 0755 /usr/lib/vethscope && { echo '#!/usr/bin/node'; cat ${join(ROOT, 'dist/helper.cjs')}; } > /usr/lib/vethscope/vethscope-helper && chmod 0755 /usr/lib/vethscope/vethscope-helper`);
  }
}

async function measure(lab: RemoteLab, label: string): Promise<{ local: number; one: number; both: number }> {
  const s = createServices({ env: lab.env, remoteHosts: lab.hosts.map((h) => h.name), offerDockerHosts: false });
  try {
    const local = await timeRuns(async () => {
      await s.topology.discover();
    });
    const alpha = s.remote.host('alpha')!;
    const one = await timeRuns(() => alpha.refresh());
    const both = await timeRuns(async () => {
      await s.remote.topologies(true);
    });
    const all = await s.remote.topologies(false);
    const localTopo = await s.topology.discover();
    for (const h of all) if (h.host.state !== 'reachable') throw new Error(`${h.host.id}: ${h.host.lastError?.message}`);
    const clocks = await Promise.all(lab.hosts.map((h) => s.remote.host(h.name)!.clockOffset()));
    console.log(`\n${label}`);
    console.log(`  local discovery      ${fmt(local)} ms  (${localTopo.containers.length} containers, ${localTopo.namespaces.length} namespaces on this machine)`);
    console.log(`  one remote host      ${fmt(one)} ms  = ${(one / local).toFixed(2)} x local  (via ${all[0]!.host.via}, ${all[0]!.topology!.containers.length} containers, ${all[0]!.topology!.namespaces.length} namespaces)`);
    console.log(`  two remote hosts     ${fmt(both)} ms  = ${(both / local).toFixed(2)} x local  (both at once: ${(both / one).toFixed(2)} x one host)`);
    console.log(`  clock offsets        ${clocks.map((c, i) => `${lab.hosts[i]!.name} ${c.offsetMs >= 0 ? '+' : ''}${c.offsetMs.toFixed(3)} ms (rtt ${c.roundTripMs.toFixed(2)} ms)`).join(', ')}`);
    return { local, one, both };
  } finally {
    await s.backend.close();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench:remote builds network, mount and PID namespaces: run it as root');
  console.log(`bench:remote: ${N} containers on each of 2 hosts, median of ${RUNS} runs; ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const lab = buildLab(['alpha', 'beta']);
  try {
    for (const h of lab.hosts)
      for (let i = 0; i < N; i++) remoteDocker(h, 'run', '-d', '--name', `c${i}-${h.name}`, 'vethscope-test/busybox:1', 'sleep', '100000');
    const commands = await measure(lab, 'fixed command set (one discover request to each host SESSION shell)');
    installHelper(lab);
    const helper = await measure(lab, "vethscope's helper installed there (scan + Docker + counters over one open channel)");
    console.log(`\nsummary: two remote hosts = ${(commands.both / commands.local).toFixed(2)} x local discovery with the command set, ${(helper.both / helper.local).toFixed(2)} x with the helper`);
  } finally {
    destroyLab(lab);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
