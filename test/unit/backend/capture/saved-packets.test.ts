// getPackets for a saved capture reads its file (issue 14: it returned nothing, and the UI
// kept the last 200 live rows timed from 0): the first packets, numbered and timed as
// Wireshark has them, each with its interface, through the Backend like every front door.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { Backend } from '../../../../electron/backend/backend';
import { CaptureService } from '../../../../electron/backend/capture/capture-service';
import type { TopologyService } from '../../../../electron/backend/topology/topology-service';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../../../electron/formats/pcap/pcapng-writer';
import { summarize } from '../../../../electron/formats/decode/summarize';
import { tempDir } from '../../../support/env';
import { eth, icmpEcho, ipv4 } from '../../formats/decode/packets';

const tmp = tempDir('vsu-saved-');
afterAll(() => tmp.remove());
const noHelper = { request: async () => ({}), on: () => () => undefined, onExitEvent: () => () => undefined, status: () => ({ available: false, mode: 'none' as const }), start: async () => undefined };

function backendOver(dir: string): Backend {
  const backend = new Backend();
  const topology = { discover: async () => ({}), latest: () => null, docker: { ping: async () => 'OK' } } as unknown as TopologyService;
  new CaptureService({ topology, helper: noHelper as never, summarize, capturesDir: dir, env: { PATH: '/usr/bin:/bin' }, checkFilter: async () => undefined }).register(backend);
  return backend;
}

describe('getPackets of a saved capture', () => {
  it('the file\'s first packets: numbered from 1, epoch times, the interface of each, decoded', async () => {
    const blocks = [sectionHeaderBlock(), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'nb_web_1/eth0 (vetha1)' }), interfaceDescriptionBlock({ linkType: 1, snaplen: 262144, name: 'nb_client_1/eth0 (vethb2)' })];
    for (let k = 0; k < 1500; k++) {
      const data = eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', 1, icmpEcho(true, 7, k)));
      blocks.push(enhancedPacketBlock({ interfaceId: k % 2, timestamp: 1_764_579_600_000_000n + BigInt(k) * 1700n, capLen: data.length, origLen: data.length, data }));
    }
    writeFileSync(tmp.path('web_2026-12-01T09-00-00.pcapng'), Buffer.concat(blocks));
    const backend = backendOver(tmp.dir);
    const list = await backend.call('listCaptures', {});
    const id = list.ok ? list.result[0]!.id : '';
    const r = await backend.call('getPackets', { id });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.result).toHaveLength(1000);
    expect(r.result[0]).toMatchObject({ no: 1, time: 1_764_579_600, iface: 'nb_web_1/eth0 (vetha1)', src: '10.0.0.1', dst: '10.0.0.2', protocol: 'ICMP' });
    expect(r.result[1]!.iface).toBe('nb_client_1/eth0 (vethb2)');
    expect(r.result[999]!.no).toBe(1000);
    expect(r.result[999]!.time - r.result[0]!.time).toBeCloseTo(1.6983, 6);
  });

  it('a file that is not a capture says so', async () => {
    const dir = tempDir('vsu-saved-bad-');
    try {
      writeFileSync(`${dir.dir}/junk_2026-12-01T09-00-00.pcap`, 'this is not a capture file at all');
      const backend = backendOver(dir.dir);
      const list = await backend.call('listCaptures', {});
      const r = await backend.call('getPackets', { id: list.ok ? list.result[0]!.id : '' });
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/not a pcap or pcapng file/) } });
    } finally {
      dir.remove();
    }
  });
});

describe('CaptureLibrary.packets', () => {
  it('reads only capture files directly in their folder', async () => {
    const { CaptureLibrary } = await import('../../../../electron/backend/capture/capture-library');
    const info = { files: ['/etc/passwd'], interfaces: [], format: 'pcap' } as never;
    await expect(CaptureLibrary.packets(info, summarize)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});
