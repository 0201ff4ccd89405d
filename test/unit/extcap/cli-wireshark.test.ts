// `vethscope capture ... --wireshark`: once the capture runs, Wireshark is opened live on it
// through the Backend (openCapture wireshark-live), or the reason it was not is printed; the
// capture itself goes on as without the flag.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../electron/backend/backend';
import { captureCommand, parseCaptureArgs } from '../../../electron/front-doors/cli/capture-command';
import type { CaptureInfo } from '../../../shared/capture';

const info = (state: CaptureInfo['state']): CaptureInfo => ({ id: 'cap-1', state, reason: state === 'stopped' ? 'user' : null, error: null, format: 'pcapng', filter: '', targets: [{ type: 'container', container: 'web' }], interfaces: [], files: ['/tmp/x.pcapng'], startedAt: '2026-12-01T10:00:00.000Z', endedAt: null, packets: 0, bytes: 0, dropped: 0, packetsPerSec: 0, bytesPerSec: 0, gaps: [] });
const tick = () => new Promise((r) => setImmediate(r));

async function run(args: string[], opened: { launched: boolean; reason?: string }) {
  const b = new Backend();
  const asked: unknown[] = [];
  b.handle('startCapture', async () => info('running'));
  b.handle('listCaptures', async () => []);
  b.handle('stopCapture', async () => info('stopped'));
  b.handle('openCapture', async (req) => (asked.push(req), opened));
  const lines: string[] = [];
  const signals = new EventEmitter();
  const done = captureCommand(b, args, { isTTY: false, out: () => undefined, err: (t) => void lines.push(t) }, signals);
  for (let i = 0; i < 5; i++) await tick();
  signals.emit('SIGINT');
  await done;
  return { asked, lines };
}

describe('vethscope capture --wireshark', () => {
  it('is an option, not part of the capture request', () => {
    expect(parseCaptureArgs(['web', '--wireshark'])).not.toHaveProperty('wireshark');
  });

  it('opens Wireshark live on the running capture', async () => {
    const r = await run(['web', '--wireshark'], { launched: true });
    expect(r.asked).toEqual([{ id: 'cap-1', with: 'wireshark-live' }]);
    expect(r.lines[1]).toMatch(/^Wireshark opened live on the same targets/);
  });

  it('says why when it did not open, and the capture goes on', async () => {
    const r = await run(['web', '--wireshark'], { launched: false, reason: 'no display on the host vethscope runs on' });
    expect(r.lines[1]).toBe('--wireshark: Wireshark did not open: no display on the host vethscope runs on');
    expect(r.lines.some((l) => /^stopped \(user\)/.test(l))).toBe(true);
  });

  it('without the flag nothing is opened', async () => {
    expect((await run(['web'], { launched: true })).asked).toEqual([]);
  });
});
