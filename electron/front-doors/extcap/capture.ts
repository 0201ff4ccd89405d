// `--capture --fifo PATH`: the Backend's capture, streaming pcapng into Wireshark's FIFO
// (one interface block per captured container interface, named as vethscope names it).
// Wireshark stops it with SIGTERM; a Wireshark (or tshark) that died without a word is
// noticed by our parent changing, and the capture ends the same way. Everything written
// before the end is whole blocks, readable. Errors go to stderr, which Wireshark shows.
import { closeSync, constants, openSync } from 'node:fs';
import type { CaptureInfo, CaptureRequest, CaptureTarget } from '../../../shared/capture';
import { parseTargetWord } from '../../../shared/capture';
import { CodedError, type ErrorCode } from '../../../shared/result';
import { MULTI_INTERFACE, extcapPreference, EXTCAP_ARGS } from '../../../shared/extcap';
import type { Backend } from '../../backend/backend';
import type { ExtcapCall } from './args';
import { extcapInterfaces, targetWord, type ListedContainer } from './interfaces';

type CaptureCall = Extract<ExtcapCall, { kind: 'capture' }>;

export interface ExtcapCaptureDeps {
  backend: Backend;
  /** The running containers, to find the one an interface stands for. */
  containers(): Promise<ListedContainer[]>;
  err(text: string): void;
  signals?: NodeJS.EventEmitter;
  /** Whether Wireshark (our parent) is still there; default: our parent pid is the one we started with. */
  parentAlive?: () => boolean;
  pollMs?: number;
  /** After a failure: let Wireshark's reader see the FIFO end (default: open it and close it again). */
  release?: (fifo: string) => Promise<void>;
}

/** The capture's targets: the multi-container interface's list, or an interface's own container (or the one chosen in its options). */
export async function targetsFor(call: CaptureCall, containers: () => Promise<ListedContainer[]>): Promise<CaptureTarget[]> {
  let words: string[];
  if (call.iface === MULTI_INTERFACE) {
    words = call.options.containers;
    if (!words.length) throw new CodedError('INVALID_INPUT', `choose the containers in the interface's options (or: -o ${extcapPreference(MULTI_INTERFACE, EXTCAP_ARGS.containers)}:web-1,db-1)`);
  } else if (call.options.container) words = [call.options.container];
  else {
    const own = extcapInterfaces(await containers()).find((i) => i.value === call.iface)?.container;
    if (!own) throw new CodedError('NOT_FOUND', `no running container stands for ${call.iface} any more: refresh the interface list`);
    words = [targetWord(own)];
  }
  const targets = words.map(parseTargetWord);
  const interfaces = call.options.interfaces;
  return interfaces.length ? targets.map((t) => (t.type === 'container' ? { ...t, interfaces } : t)) : targets;
}

const ended = (i: CaptureInfo) => i.state === 'stopped' || i.state === 'failed';

/** Runs the capture until Wireshark stops it or it ends by itself; the exit status Wireshark sees. */
export async function extcapCapture(call: CaptureCall, d: ExtcapCaptureDeps): Promise<number> {
  const signals = d.signals ?? process;
  const startPpid = process.ppid;
  const parentAlive = d.parentAlive ?? (() => process.ppid === startPpid);
  let told = false;
  let id: string | null = null;
  let stopping: Promise<unknown> | null = null;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  let latest: CaptureInfo | null = null;
  const stop = () => {
    told = true;
    if (id === null) return finish(); // not started yet: nothing to stop, just end
    stopping ??= d.backend.call('stopCapture', { id }).then((r) => {
      if (r.ok) latest = r.result;
      finish();
    });
  };
  // Events from before startCapture answered (a capture that ended at once), by capture id.
  const early = new Map<string, CaptureInfo>();
  const off = d.backend.on('capture', (info) => {
    if (id === null) return void early.set(info.id, info);
    if (info.id !== id) return;
    latest = info;
    if (ended(info)) finish();
  });
  // Only our parent is polled: the capture's end comes as an event (listing every capture read the whole library).
  const watch = setInterval(() => {
    if (!parentAlive()) stop();
  }, d.pollMs ?? 250);
  signals.on('SIGTERM', stop);
  signals.on('SIGINT', stop);
  try {
    let req: CaptureRequest;
    try {
      req = {
        targets: await targetsFor(call, d.containers),
        filter: call.options.filter || undefined,
        snaplen: call.options.snaplen ?? undefined,
        format: 'pcapng',
        follow: call.options.follow,
        output: { fifo: call.fifo },
      };
    } catch (err) {
      return await fail(d, call.fifo, err instanceof CodedError ? err : new CodedError('INVALID_INPUT', (err as Error).message));
    }
    // Stopped (or orphaned) while starting: end now; the helper and its tcpdumps go when this process does.
    const started = await Promise.race([d.backend.call('startCapture', req), done.then(() => null)]);
    if (started === null) return 0;
    if (!started.ok) return told ? 0 : await fail(d, call.fifo, new CodedError(started.error.code, started.error.message));
    id = started.result.id;
    const before = early.get(id);
    early.clear();
    latest = before && ended(before) ? before : started.result;
    if (ended(latest)) finish();
    if (told) stop();
    await done;
    if (stopping) await stopping;
  } finally {
    clearInterval(watch);
    off();
    signals.off('SIGTERM', stop);
    signals.off('SIGINT', stop);
  }
  const last = latest as CaptureInfo | null;
  // Told to stop (or the reader is gone with Wireshark): a normal end, whatever the writer met on the way out.
  if (told || !last || last.state !== 'failed') return 0;
  return fail(d, call.fifo, new CodedError((last.error?.code as ErrorCode | undefined) ?? 'INTERNAL', last.error?.message ?? `the capture ended: ${last.reason}`));
}

/**
 * Wireshark shows an extcap's stderr once its FIFO ends; tshark 4.0 waits for a FIFO nobody
 * ever opened for as long as it runs. So the message first, then the FIFO opened and closed.
 */
async function fail(d: ExtcapCaptureDeps, fifo: string, e: CodedError): Promise<number> {
  d.err(`vethscope: ${e.message} [${e.code}]`);
  await (d.release ?? releaseReader)(fifo);
  return 1;
}

/** Open Wireshark's FIFO for writing (its reader is there within moments) and close it: its reader sees the end. Nothing is written. */
export async function releaseReader(fifo: string, waitMs = 5000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
      closeSync(fd);
      return;
    } catch (e) {
      // ENXIO: no reader yet. Anything else (not there, a regular file made read-only...): nothing to release.
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() >= deadline) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
