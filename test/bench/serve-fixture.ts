// Manual look at the UI with a fixture: `tsx test/bench/serve-fixture.ts FILE [N]` prints the URL.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeBackend } from './fake-backend';
import { scaleTopology } from './scale-topology';
import { syntheticRates } from './synthetic-rates';

const file = process.argv[2] ?? 'test/fixtures/topology-recorded.json';
const n = Number(process.argv[3] ?? 0);
const base = JSON.parse(readFileSync(file, 'utf8'));
const topo = n ? scaleTopology(base, n) : base;
async function main() {
  const b = await startFakeBackend({ root: path.resolve('dist/renderer'), topology: () => topo, rates: process.env.NO_RATES ? undefined : () => syntheticRates(topo) });
  setInterval(() => b.push('rates', syntheticRates(topo)), 1000);
  console.log(b.url);
}
void main();
