// `--capture` against a Backend whose capture methods are fakes: what is asked for, how
// Wireshark stops it (SIGTERM, or its process vanishing), what Wireshark is told on a failure.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backend } from '../../../electron/backend/backend';
import { parseExtcapArgs, type ExtcapCall } from '../../../electron/front-doors/extcap/args';
import { extcapCapture, targetsFor } from '../../../electron/front-doors/extcap/capture';
import type { ListedContainer } from '../../../electron/front-doors/extcap/interfaces';
import type { CaptureInfo, CaptureRequest } from '../../../shared/capture';
import { CodedError } from '../../../shared/result';

type CaptureCall = Extract<ExtcapCall, { kind: 'capture' }>;
const capture = (...args: string[]) => parseExtcapArgs(['--capture', '--fifo', '/tmp/wireshark_extcap_x', ...args]) as CaptureCall;
const web: ListedContainer = { id: 'w1', name: 'web-1', engine: 'docker', pod: null, infra: false };
const listing = async () => [web];

function info(state: CaptureInfo['state'], more: Partial<CaptureInfo> = {}): CaptureInfo {
  return { id: 'c1', state, reason: null, error: null, format: 'pcapng', filter: '', targets: [], interfaces: [], files: [], startedAt: '', endedAt: null, packets: 0, bytes: 0, dropped: 0, packetsPerSec: 0, bytesPerSec: 0, gaps: [], ...more };
}

describe('targetsFor', () => {
  it("an interface's own container, by ENGINE:NAME; the option chosen in Wireshark wins", async () => {
    expect(await targetsFor(capture('--extcap-interface', 'vethscope-web-1'), listing)).toEqual([{ type: 'container', container: 'docker:web-1' }]);
    expect(await targetsFor(capture('--extcap-interface', 'vethscope-web-1', '--container', 'podman:db'), listing)).toEqual([{ type: 'container', container: 'podman:db' }]);
  });

  it('the multi-container interface: its list (host:/netns: words too), interfaces on the container targets only', async () => {
    expect(await targetsFor(capture('--extcap-interface', 'vethscope', '--containers', 'web-1,host:eth0', '--interfaces', 'eth0'), listing)).toEqual([
      { type: 'container', container: 'web-1', interfaces: ['eth0'] },
      { type: 'host', iface: 'eth0' },
    ]);
  });

  it('says what to do when nothing is chosen, or the container went away', async () => {
    await expect(targetsFor(capture('--extcap-interface', 'vethscope'), listing)).rejects.toThrow(/-o extcap\.vethscope\.containers:web-1,db-1/);
    await expect(targetsFor(capture('--extcap-interface', 'vethscope-gone'), listing)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/refresh the interface list/) });
  });
});

describe('extcapCapture', () => {
  let backend: Backend;
  let signals: EventEmitter;
  let asked: CaptureRequest[];
  let stops: number;
  let err: string[];
  let released: string[];
  let parent: boolean;
  let listed: CaptureInfo;
  let lists: number;
  beforeEach(() => {
    vi.useFakeTimers();
    backend = new Backend();
    signals = new EventEmitter();
    asked = [];
    stops = 0;
    err = [];
    released = [];
    parent = true;
    listed = info('running');
    backend.handle('stopCapture', async () => (stops++, info('stopped', { reason: 'user' })));
    lists = 0;
    backend.handle('listCaptures', async () => (lists++, [listed]));
  });
  afterEach(() => vi.useRealTimers());
  const deps = () => ({ backend, containers: listing, err: (t: string) => void err.push(t), signals, parentAlive: () => parent, pollMs: 100, release: async (f: string) => void released.push(f) });

  it('asks the Backend to stream into the FIFO; SIGTERM stops it and the exit is 0', async () => {
    backend.handle('startCapture', async (req) => (asked.push(req), info('running')));
    const run = extcapCapture(capture('--extcap-interface', 'vethscope-web-1', '--extcap-capture-filter', 'icmp', '--snaplen', '128', '--follow'), deps());
    await vi.advanceTimersByTimeAsync(10);
    expect(asked).toEqual([{ targets: [{ type: 'container', container: 'docker:web-1' }], filter: 'icmp', snaplen: 128, format: 'pcapng', follow: true, output: { fifo: '/tmp/wireshark_extcap_x' } }]);
    signals.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(10);
    expect(await run).toBe(0);
    expect(stops).toBe(1);
    expect(signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('Wireshark gone without a word (tshark killed: our parent changed): stopped the same way', async () => {
    backend.handle('startCapture', async () => info('running'));
    const run = extcapCapture(capture('--extcap-interface', 'vethscope-web-1'), deps());
    await vi.advanceTimersByTimeAsync(150);
    expect(stops).toBe(0);
    parent = false;
    await vi.advanceTimersByTimeAsync(150);
    expect(await run).toBe(0);
    expect(stops).toBe(1);
  });

  it('a refused start: the reason on stderr (Wireshark shows it), then the FIFO released, exit 1', async () => {
    backend.handle('startCapture', async () => {
      throw new CodedError('BAD_FILTER', 'bad filter "tcp port nonsense": unknown port');
    });
    const run = extcapCapture(capture('--extcap-interface', 'vethscope-web-1', '--extcap-capture-filter', 'tcp port nonsense'), deps());
    await vi.advanceTimersByTimeAsync(10);
    expect(await run).toBe(1);
    expect(err).toEqual(['vethscope: bad filter "tcp port nonsense": unknown port [BAD_FILTER]']);
    expect(released).toEqual(['/tmp/wireshark_extcap_x']);
  });

  it('stopped while still starting: ends at once, without waiting for the start', async () => {
    backend.handle('startCapture', () => new Promise(() => undefined));
    const run = extcapCapture(capture('--extcap-interface', 'vethscope-web-1'), deps());
    await vi.advanceTimersByTimeAsync(10);
    signals.emit('SIGTERM');
    await vi.advanceTimersByTimeAsync(10);
    expect(await run).toBe(0);
    expect(stops).toBe(0);
  });

  it('a capture that ends by itself (the container went away) tells Wireshark why', async () => {
    backend.handle('startCapture', async () => info('running'));
    const run = extcapCapture(capture('--extcap-interface', 'vethscope-web-1'), deps());
    await vi.advanceTimersByTimeAsync(150);
    backend.emit('capture', info('failed', { reason: 'target-gone', error: { code: 'TARGET_GONE', message: 'container web-1 stopped' } }));
    await vi.advanceTimersByTimeAsync(10);
    expect(await run).toBe(1);
    expect(err).toEqual(['vethscope: container web-1 stopped [TARGET_GONE]']);
  });

  it('one that ended before startCapture answered ends too, and no capture list is read to find out', async () => {
    const gone = info('failed', { reason: 'target-gone', error: { code: 'TARGET_GONE', message: 'container web-1 stopped' } });
    backend.handle('startCapture', async () => (backend.emit('capture', gone), info('running')));
    listed = gone;
    const run = extcapCapture(capture('--extcap-interface', 'vethscope-web-1'), deps());
    await vi.advanceTimersByTimeAsync(10);
    expect(await run).toBe(1);
    expect(err).toEqual(['vethscope: container web-1 stopped [TARGET_GONE]']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(lists).toBe(0);
  });
});
