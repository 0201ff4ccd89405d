// `vethscope capture`'s progress line and end summary (issue 14): the line shows the
// average rate over the last seconds (the backend's own rate covers half a second and
// reads 0 pkt/s between bursts), and after --follow re-attached an interface the summary
// says which line is which, and names the gap.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../../electron/backend/backend';
import { captureCommand } from '../../../../electron/front-doors/cli/capture-command';
import type { CliIo } from '../../../../electron/front-doors/cli/io';
import type { CaptureInfo } from '../../../../shared/capture';

const iface = (label: string, packets: number) => ({ label, containerId: 'c1', containerName: 'nb_web_1', at: { netns: 1, name: label.slice(-12, -1) }, packets, dropped: 0 });

function info(more: Partial<CaptureInfo> = {}): CaptureInfo {
  return {
    id: 'cap-1',
    state: 'running',
    reason: null,
    error: null,
    format: 'pcapng',
    filter: '',
    targets: [{ type: 'container', container: 'web' }],
    interfaces: [iface('nb_web_1/eth0 (vethaaaa)', 0)],
    files: ['/tmp/x.pcapng'],
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: null,
    packets: 0,
    bytes: 0,
    dropped: 0,
    packetsPerSec: 0,
    bytesPerSec: 0,
    gaps: [],
    ...more,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Run `vethscope capture web` against a backend whose capture ends as `final`; stderr lines. */
async function summaryOf(final: CaptureInfo): Promise<string[]> {
  const b = new Backend();
  b.handle('startCapture', async () => info());
  b.handle('listCaptures', async () => []);
  const lines: string[] = [];
  const done = captureCommand(b, ['web', '--follow'], { isTTY: false, out: () => undefined, err: (t) => void lines.push(t) }, new EventEmitter());
  await tick();
  await tick();
  b.emit('capture', final);
  await done;
  return lines.slice(1); // after "capturing ... into ..."
}

describe('capture progress line', () => {
  it('shows the average over the last seconds, not the last half second', async () => {
    const b = new Backend();
    b.handle('startCapture', async () => info());
    b.handle('listCaptures', async () => []);
    const lines: string[] = [];
    const io: CliIo = { isTTY: false, out: () => undefined, err: (t) => void lines.push(t) };
    let now = 0;
    const done = captureCommand(b, ['web'], io, new EventEmitter(), () => now);
    await tick();
    await tick();
    // 100 packets (150 kB) a second, reported every 500 ms, in bursts: the backend's own rate is often 0.
    for (let k = 1; k <= 20; k++) {
      now = k * 500;
      const packets = k * 50;
      b.emit('capture', info({ packets, bytes: packets * 1500, packetsPerSec: k % 2 ? 0 : 100, bytesPerSec: k % 2 ? 0 : 150_000 }));
    }
    b.emit('capture', info({ state: 'stopped', reason: 'user', packets: 1000, bytes: 1_500_000 }));
    await done;
    const progress = lines.filter((l) => l.startsWith('running:'));
    expect(progress.length).toBeGreaterThan(2);
    for (const l of progress) expect(l).toMatch(/ 100 pkt\/s, 1\.2 Mbit\/s \(last [2-5] s\)$/);
    expect(progress.at(-1)).toMatch(/\(last 5 s\)$/);
  });

  it('ends with a capture that ended before startCapture answered, and never lists every capture to find out', async () => {
    const b = new Backend();
    const stopped = info({ state: 'stopped', reason: 'count', packets: 1, bytes: 60 });
    b.handle('startCapture', async () => {
      b.emit('capture', stopped); // e.g. --count 1 reached while the start was still answering
      return info();
    });
    let listed = 0;
    b.handle('listCaptures', async () => (listed++, [stopped]));
    const lines: string[] = [];
    let finished = false;
    const done = captureCommand(b, ['web'], { isTTY: false, out: () => undefined, err: (t) => void lines.push(t) }, new EventEmitter()).then(() => (finished = true));
    for (let k = 0; k < 5; k++) await tick();
    expect(finished).toBe(true);
    await done;
    expect(lines).toContain('stopped (count): 1 packets, 60 bytes, 0 dropped by the kernel');
    expect(listed).toBe(0);
  });
});

describe('capture summary after --follow', () => {
  it('says which interface line is the one re-attached after the restart, and names the gap', async () => {
    const lines = await summaryOf(
      info({
        state: 'stopped',
        reason: 'user',
        packets: 30,
        interfaces: [iface('nb_web_1/eth0 (vethaaaa)', 10), iface('nb_web_1/eth0 (vethbbbb)', 20)],
        gaps: [{ label: 'nb_web_1/eth0 (vethaaaa)', from: '2026-12-01T10:00:05.000Z', to: '2026-12-01T10:00:07.100Z' }],
      }),
    );
    expect(lines).toEqual([
      'stopped (user): 30 packets, 0 bytes, 0 dropped by the kernel, 1 gap(s)',
      '  nb_web_1/eth0 (vethaaaa): 10 packets, 0 dropped',
      '  nb_web_1/eth0 (vethbbbb) (re-attached after the restart): 20 packets, 0 dropped',
      '  gap: nb_web_1/eth0 (vethaaaa) not captured for 2.1 s (restart)',
    ]);
  });

  it('never prints two identical interface lines (a label the kernel repeated)', async () => {
    const same = 'nb_web_1/eth0 (veth in netns)';
    const lines = await summaryOf(info({ state: 'stopped', reason: 'user', interfaces: [iface(same, 1), iface(same, 1)] }));
    expect(new Set(lines).size).toBe(lines.length);
  });
});
