import { describe, expect, it } from 'vitest';
import type { HelperPort } from '../../../electron/backend/capture/helper-port';
import { REMOTE_INDEX_BASE, type RemoteCaptures } from '../../../electron/backend/remote/remote-capture';
import { withRemoteCaptures } from '../../../electron/backend/remote/remote-port';

const spec = (iface: string, host?: string) => ({ netns: { inode: 5, path: '/proc/9/ns/net' }, iface, output: `/tmp/f-${iface}`, ...(host ? { host } : {}) });

function fakes() {
  const calls: string[] = [];
  const inner = {
    request: async (op: string, p: { ifaces?: Array<{ iface: string }> }) => {
      calls.push(`local ${op} ${(p.ifaces ?? []).map((s) => s.iface).join(',')}`);
      if (op === 'startCapture') return { captureId: 'c', ifaces: p.ifaces!.map((_, i) => ({ index: i, linkType: 'EN10MB', bufferKiB: 1 })) };
      return { captureId: 'c', ifaces: [{ index: 0, captured: 1, receivedByFilter: 1, droppedByKernel: 0, ended: 'stopped', message: null }] };
    },
    on: () => () => undefined,
    status: () => ({ available: true, mode: 'root' as const }),
    onExitEvent: () => () => undefined,
    start: async () => undefined,
  } as unknown as HelperPort;
  let started = false;
  const remote = {
    start: async (p: { ifaces: Array<{ iface: string; host?: string }> }) => {
      started = true;
      calls.push(`remote start ${p.ifaces.map((s) => `${s.host}:${s.iface}`).join(',')}`);
      return { captureId: 'c', ifaces: p.ifaces.map((_, i) => ({ index: REMOTE_INDEX_BASE + i, linkType: 'EN10MB', bufferKiB: 0 })) };
    },
    has: () => started,
    stop: async () => {
      calls.push('remote stop');
      return { captureId: 'c', ifaces: [{ index: REMOTE_INDEX_BASE, captured: 2, receivedByFilter: 2, droppedByKernel: 0, ended: 'stopped', message: null }] };
    },
    on: () => () => undefined,
  } as unknown as RemoteCaptures;
  return { calls, port: withRemoteCaptures(inner, remote) };
}

describe('withRemoteCaptures', () => {
  it('a capture on two hosts and here: each side starts its own, replies come back in the order asked, indexes never meet', async () => {
    const { calls, port } = fakes();
    const r = await port.request('startCapture', { captureId: 'c1234567', ifaces: [spec('veth1', 'alpha'), spec('eth0'), spec('veth2', 'beta')], filter: '', snaplen: 100, maxDurationSec: 10 });
    expect(r.ifaces.map((i) => i.index)).toEqual([REMOTE_INDEX_BASE, 0, REMOTE_INDEX_BASE + 1]);
    expect(calls).toEqual(['remote start alpha:veth1,beta:veth2', 'local startCapture eth0']);
    const stopped = await port.request('stopCapture', { captureId: 'c1234567' });
    expect(stopped.ifaces.map((i) => i.index).sort()).toEqual([0, REMOTE_INDEX_BASE]);
  });

  it("a capture wholly on remote hosts survives the local helper's exit; one with local parts does not", async () => {
    const { port } = fakes();
    await port.request('startCapture', { captureId: 'r1234567', ifaces: [spec('veth1', 'alpha')], filter: '', snaplen: 100, maxDurationSec: 10 });
    expect(port.runsWithoutHelper?.('r1234567')).toBe(true);
    const mixed = fakes();
    await mixed.port.request('startCapture', { captureId: 'm1234567', ifaces: [spec('veth1', 'alpha'), spec('eth0')], filter: '', snaplen: 100, maxDurationSec: 10 });
    expect(mixed.port.runsWithoutHelper?.('m1234567')).toBe(false);
  });

  it('a local-only capture never touches the remote side', async () => {
    const { calls, port } = fakes();
    await port.request('startCapture', { captureId: 'c1234567', ifaces: [spec('eth0')], filter: '', snaplen: 100, maxDurationSec: 10 });
    expect(calls).toEqual(['local startCapture eth0']);
  });
});
