// Cost of live rates: 100 idle containers on the private daemon, the sampler
// at 1 s for ~20 s, CPU of this process (process.cpuUsage deltas) as % of one
// core, against the same process idle for the same time. Target < 2%.
// usage: npm run bench:sampler [-- --containers N --seconds S]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { RatesService } from '../../electron/backend/rates/rates-service';
import { TopologyService } from '../../electron/backend/topology/topology-service';
import { Backend } from '../../electron/backend/backend';
import { NamespaceAnchors } from '../../electron/backend/rates/anchors';
import { DOCKER_HOST, IMAGE, isRoot, removeSuiteContainers, TEST_LABEL, testEnv } from '../support/env';
import { mapPool } from '../../electron/util/exec';
import { sleep } from '../support/poll';

const SUITE = 'vsr-bench';
const { values } = parseArgs({ options: { containers: { type: 'string', default: '100' }, seconds: { type: 'string', default: '20' } } });
const N = Number(values.containers);
const SECONDS = Number(values.seconds);

const run = (args: string[]) =>
  new Promise<number | null>((resolve) => {
    const p = spawn('docker', args, { env: testEnv(), stdio: 'ignore' });
    p.on('close', resolve);
  });

async function cpuOver(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await sleep(ms);
  const d = process.cpuUsage(before);
  return ((d.user + d.system) / 1000 / ms) * 100;
}

async function main(): Promise<void> {
  if (!isRoot) {
    console.log('bench:sampler needs root (private daemon)');
    process.exitCode = 1;
    return;
  }
  process.env.DOCKER_HOST = DOCKER_HOST;
  removeSuiteContainers(SUITE);
  try {
    const t0 = Date.now();
    const codes = await mapPool(Array.from({ length: N }, (_, i) => i), 4, (i) =>
      run(['run', '-d', '--name', `vsr-bench-${i}`, '--label', `${TEST_LABEL}=${SUITE}`, IMAGE, 'sleep', '100000']),
    );
    console.log(`started ${codes.filter((c) => c === 0).length}/${N} containers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const backend = new Backend();
    const topology = new TopologyService(undefined, process.env);
    topology.register(backend);
    const rates = new RatesService(topology, { intervalSec: 1, privileged: NamespaceAnchors.create() });
    rates.register(backend);
    const topo = await topology.discover();
    const mine = topo.containers.filter((c) => c.name.startsWith('vsr-bench-'));
    console.log(`topology: ${topo.containers.length} containers (${mine.length} of ours), ${topo.namespaces.length} namespaces, ${topo.elapsedMs} ms`);

    const baseline = await cpuOver(SECONDS * 1000);
    let samples = 0;
    let mapped = 0;
    const off = backend.on('rates', (s) => {
      samples++;
      mapped = s.containers.length;
    });
    await sleep(1500); // first (baseline) tick and warm-up out of the measurement
    const ticksBefore = rates.ticks;
    const refreshesBefore = rates.refreshes;
    const tickCpuBefore = rates.tickCpuMs;
    const sampling = await cpuOver(SECONDS * 1000);
    const ticks = rates.ticks - ticksBefore;
    off();
    const last = rates.latestSample();
    await backend.close();

    console.log(`samples emitted: ${samples}, ticks measured: ${ticks}, containers per sample: ${mapped}, interfaces per sample: ${last?.interfaces.length ?? 0}`);
    console.log(`topology refreshes while sampling (veths came or went): ${rates.refreshes - refreshesBefore}`);
    console.log(`errors: ${rates.lastErrors.join('; ') || 'none'}`);
    console.log(`CPU idle baseline:  ${baseline.toFixed(3)} % of one core over ${SECONDS} s`);
    const tickCpu = rates.tickCpuMs - tickCpuBefore;
    console.log(`CPU inside ticks:   ${((tickCpu / (SECONDS * 1000)) * 100).toFixed(3)} % of one core (${(tickCpu / Math.max(1, ticks)).toFixed(2)} ms per tick; the rest is topology refreshes and timers)`);
    console.log(`CPU while sampling: ${sampling.toFixed(3)} % of one core over ${SECONDS} s`);
    console.log(`sampler cost:       ${(sampling - baseline).toFixed(3)} % of one core (target < 2 %) -> ${sampling - baseline < 2 ? 'PASS' : 'FAIL'}`);
    if (sampling - baseline >= 2) process.exitCode = 1;
  } finally {
    removeSuiteContainers(SUITE);
  }
}

void main();
