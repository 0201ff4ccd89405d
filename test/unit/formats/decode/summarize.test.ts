// summarize() against tshark on the same bytes: every synthetic case must give
// tshark's protocol, source, destination and info (TCP sequence numbers and
// window aside: tshark makes them relative/scaled from conversation state, we
// print the absolute header values).
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from '../../../../electron/formats/decode/summarize';
import { ipv6 } from '../../../../electron/formats/decode/addr';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../../electron/formats/pcap/pcapng-writer';
import { tempDir } from '../../../support/env';
import { hasTshark, NO_TSHARK, normalizeInfo, TRUNC, tsharkFields } from '../../../support/tshark';
import { CASES, CUT_CASES, type Case } from './cases';
import { ip6b } from './packets';

const sum = (c: Case) => summarize(c.linkType, c.data, c.origLen ?? c.data.length);

function writeCases(file: string, cases: Case[]): void {
  const lts = [...new Set(cases.map((c) => c.linkType))];
  const parts = [sectionHeaderBlock({}), ...lts.map((l) => interfaceDescriptionBlock({ linkType: l, snaplen: 262144, name: `lt${l}` }))];
  cases.forEach((c, i) =>
    parts.push(enhancedPacketBlock({ interfaceId: lts.indexOf(c.linkType), timestamp: BigInt(i), capLen: c.data.length, origLen: c.origLen ?? c.data.length, data: c.data })),
  );
  writeFileSync(file, Buffer.concat(parts));
}

const tmp = tempDir('vsp-decode-');
afterAll(() => tmp.remove());

describe.skipIf(!hasTshark)(`summarize() matches tshark${hasTshark ? '' : ` (skipped: ${NO_TSHARK})`}`, () => {
  const file = tmp.path('cases.pcapng');
  const all = [...CASES, ...CUT_CASES];
  writeCases(file, all);
  const rows = tsharkFields(file, ['_ws.col.Source', '_ws.col.Destination', '_ws.col.Protocol', '_ws.col.Info']);

  it('tshark read every case', () => expect(rows).toHaveLength(all.length));

  CASES.forEach((c, i) =>
    it(c.name, () => {
      const [src, dst, protocol, info] = rows[i]!;
      const s = sum(c);
      expect({ src: s.src, dst: s.dst, protocol: s.protocol }).toEqual({ src, dst, protocol });
      expect(normalizeInfo(s.info)).toBe(normalizeInfo(info!));
    }),
  );

  CUT_CASES.forEach((c, j) =>
    it(`${c.name}: same protocol, says it was cut`, () => {
      const [, , protocol, info] = rows[CASES.length + j]!;
      const s = sum(c);
      expect(s.protocol).toBe(protocol);
      expect(info).toContain(TRUNC);
      expect(s.info).toContain(TRUNC);
      // What tshark could still decode, we decode too (our info may say more).
      expect(normalizeInfo(s.info).replace(` ${TRUNC}`, '')).toContain(normalizeInfo(info!).replace(` ${TRUNC}`, '').replace(TRUNC, ''));
    }),
  );
});

describe('summarize() robustness', () => {
  it('any prefix of any case: never throws, and says so whenever it could not say everything', () => {
    for (const c of CASES) {
      const full = sum(c);
      for (let n = 0; n < c.data.length; n++) {
        const s = summarize(c.linkType, c.data.subarray(0, n), c.data.length);
        if (s.info !== full.info) expect(s.info, `${c.name} cut at ${n}`).toContain(TRUNC);
        // Without a wire length longer than the data, a short packet is malformed, not cut.
        const m = summarize(c.linkType, c.data.subarray(0, n), n);
        if (m.info !== full.info) expect(m.info, `${c.name} at ${n}`).toContain('[Malformed Packet]');
      }
    }
  });

  it('never throws on corrupted bytes (deterministic fuzz)', () => {
    let seed = 42;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let round = 0; round < 3000; round++) {
      const c = CASES[rnd(CASES.length)]!;
      const d = Buffer.from(c.data);
      for (let k = 0; k < 1 + rnd(6); k++) d[rnd(d.length)] = rnd(256);
      const s = summarize(c.linkType, d, d.length);
      expect(s).toHaveProperty('info');
    }
  });

  it('a DNS name pointer loop ends as a malformed DNS summary, not a hang', () => {
    const loop = Buffer.from('abcd01000001000000000000c00c00010001', 'hex'); // question name points at itself
    const frame = CASES.find((c) => c.name === 'raw ipv4 dns')!;
    const ip = Buffer.from(frame.data.subarray(0, 28));
    ip.writeUInt16BE(28 + loop.length, 2);
    ip.writeUInt16BE(8 + loop.length, 24);
    const s = summarize(101, Buffer.concat([ip, loop]), 28 + loop.length);
    expect(s.protocol).toBe('DNS');
    expect(s.info).toBe('Standard query 0xabcd [Malformed Packet]');
  });

  it('names link types it does not decode', () => {
    expect(summarize(147, Buffer.alloc(10), 10)).toEqual({ src: '', dst: '', protocol: 'DLT 147', info: 'Link type 147 is not decoded' });
  });

  it('formats IPv6 addresses per RFC 5952', () => {
    const f = (a: string) => ipv6(ip6b(a), 0);
    expect(f('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(f('0:0:0:0:0:0:0:0')).toBe('::');
    expect(f('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(f('fe80:0:0:0:0:0:0:0')).toBe('fe80::');
    expect(f('0:0:0:0:0:ffff:a00:1')).toBe('::ffff:10.0.0.1');
  });
});

// Throughput is measured by `npm run bench:formats`; here only that repeated calls agree.
describe('summarize() repeated', () => {
  it('gives every case a non-empty info, the same on every call (nothing kept between packets)', () => {
    const whole = (c: Case) => summarize(c.linkType, c.data, c.data.length);
    const first = CASES.map(whole);
    let n = 0;
    for (let r = 0; r < 3; r++)
      CASES.forEach((c, i) => {
        const s = whole(c);
        n += s.info.length > 0 ? 1 : 0;
        expect(s).toEqual(first[i]);
      });
    expect(n).toBe(CASES.length * 3);
  });
});
