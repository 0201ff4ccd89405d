// Throughput of the pure format code, each against a baseline measured in the same run:
//   PcapStreamParser on pipe-sized chunks, against copying the same chunks (memcpy rate);
//   summarize() over the synthetic decode cases, against only reading each frame's EtherType.
// Printed, never asserted (the unit tests check what comes out; this measures how fast).
// usage: npm run bench:formats [-- --rounds N]
import { parseArgs } from 'node:util';
import { PcapStreamParser } from '../../electron/formats/pcap/pcap-stream';
import { summarize } from '../../electron/formats/decode/summarize';
import { chunkedStream } from '../unit/formats/pcap/chunked-stream';
import { CASES } from '../unit/formats/decode/cases';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1' } } });
const ROUNDS = Math.max(1, Number(values.rounds));

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function pcapStream(label: string, recLen: number, count: number, chunk: number, rounds: number): void {
  const { chunks, bytes } = chunkedStream(recLen, count, chunk);
  let records = 0;
  const parse = seconds(() => {
    for (let r = 0; r < rounds; r++) {
      const p = new PcapStreamParser();
      for (const c of chunks) records += p.push(c).length;
    }
  });
  if (records !== count * rounds) throw new Error(`${label}: parsed ${records} records, wrote ${count * rounds}`);
  const scratch = Buffer.alloc(chunk);
  const copy = seconds(() => {
    for (let r = 0; r < rounds; r++) for (const c of chunks) c.copy(scratch);
  });
  const gbps = (bytes * rounds) / parse / 1e9;
  console.log(`PcapStreamParser ${label}: ${gbps.toFixed(2)} GB/s, ${Math.round(records / parse / 1000)}k rec/s; ${(parse / copy).toFixed(1)}× the time of copying the chunks`);
}

function summarizeCases(rounds: number): void {
  const cases = CASES.map((c) => [c.linkType, c.data, c.data.length] as const);
  let n = 0;
  const sec = seconds(() => {
    for (let r = 0; r < rounds; r++) for (const [lt, d, len] of cases) n += summarize(lt, d, len).info.length > 0 ? 1 : 0;
  });
  if (n !== cases.length * rounds) throw new Error(`summarize(): ${cases.length * rounds - n} cases gave no info`);
  let sink = 0;
  const base = seconds(() => {
    for (let r = 0; r < rounds; r++) for (const [, d] of cases) sink += d.length >= 14 ? d.readUInt16BE(12) : 0;
  });
  if (sink < 0) throw new Error('unreachable'); // keeps the baseline loop from being optimised away
  console.log(`summarize(): ${Math.round(n / sec / 1000)}k packets/s over the ${cases.length} synthetic cases; ${(sec / base).toFixed(0)}× the time of reading each EtherType`);
}

for (let i = 0; i < ROUNDS; i++) {
  pcapStream('64 KB records in 64 KB chunks', 65536, 512, 65536, 16); // 512 MiB; every record straddles two chunks
  pcapStream('64 KB records in 1 MB chunks', 65536, 512, 1 << 20, 16);
  pcapStream('80-byte records in 64 KB chunks', 80, 200_000, 65536, 5);
  summarizeCases(5000);
}
