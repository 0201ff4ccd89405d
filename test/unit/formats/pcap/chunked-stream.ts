// A pcap stream of `count` equal records cut into fixed-size chunks, as a pipe delivers
// them (cuts fall anywhere, records straddle chunks). Shared by the parser's test and
// its benchmark (test/bench/formats.bench.ts).
import { pcapGlobalHeader, pcapRecordHeader } from '../../../../electron/formats/pcap/pcapng-writer';

export function chunkedStream(recLen: number, count: number, chunk: number): { chunks: Buffer[]; bytes: number } {
  const data = Buffer.alloc(recLen, 0x5a);
  const one = Buffer.concat([pcapRecordHeader({ tsSec: 1, tsFrac: 2, capLen: recLen, origLen: recLen }), data]);
  const body = Buffer.alloc(one.length * count);
  for (let i = 0; i < count; i++) one.copy(body, i * one.length);
  const s = Buffer.concat([pcapGlobalHeader(1, 262144), body]);
  const chunks: Buffer[] = [];
  for (let o = 0; o < s.length; o += chunk) chunks.push(s.subarray(o, o + chunk));
  return { chunks, bytes: s.length };
}
