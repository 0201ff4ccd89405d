// `vethscope capture TARGET... [options]`: start a capture through the Backend,
// show live counters on stderr, stop cleanly on SIGINT/SIGTERM or a stop
// condition, then print the file path(s) on stdout.
import { parseArgs } from 'node:util';
import type { CaptureInfo, CaptureRequest, CaptureTarget } from '../../../shared/capture';
import type { Backend } from '../../backend/backend';
import { parseTargetWord } from '../../../shared/capture';
import { formatBitRate, formatBytes, formatDuration, formatPacketRate } from '../../../shared/units';
import { CliExit, EXIT_USAGE, type CliIo } from './io';
import { RateWindow } from './rate-window';
import { printable } from '../../../shared/text';

import { CAPTURE_USAGE } from './usage';
export { CAPTURE_USAGE };

/** Usage errors and unknown targets exit 2; everything else 1. */
const USAGE_CODES = new Set(['INVALID_INPUT', 'NOT_FOUND', 'AMBIGUOUS']);

function num(name: string, v: string | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new CliExit(EXIT_USAGE, `capture: --${name} wants a positive ${integer ? 'integer' : 'number'}, not "${v}"\n${CAPTURE_USAGE}`);
  return n;
}

export function parseCaptureArgs(args: string[]): CaptureRequest {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      iface: { type: 'string', multiple: true },
      filter: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      'max-size': { type: 'string' },
      ring: { type: 'string' },
      snaplen: { type: 'string' },
      format: { type: 'string' },
      follow: { type: 'boolean', default: false },
      // Not part of the request: captureCommand opens Wireshark live once the capture runs.
      wireshark: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o' },
    },
  });
  if (positionals.length === 0) throw new CliExit(EXIT_USAGE, `capture: name at least one target\n${CAPTURE_USAGE}`);
  let targets: CaptureTarget[];
  try {
    targets = positionals.map(parseTargetWord);
  } catch (err) {
    throw new CliExit(EXIT_USAGE, `capture: ${(err as Error).message}`);
  }
  if (values.iface?.length) {
    if (!targets.some((t) => t.type === 'container')) throw new CliExit(EXIT_USAGE, 'capture: --iface applies to container targets; use host:IFACE or netns:NS:IFACE otherwise');
    targets = targets.map((t) => (t.type === 'container' ? { ...t, interfaces: values.iface } : t));
  }
  const format = values.format ?? 'pcapng';
  if (format !== 'pcapng' && format !== 'pcap') throw new CliExit(EXIT_USAGE, `capture: --format is pcapng or pcap, not "${format}"`);
  const maxMb = num('max-size', values['max-size'], false);
  const ringFiles = num('ring', values.ring, true);
  if (ringFiles !== undefined && maxMb === undefined) throw new CliExit(EXIT_USAGE, 'capture: --ring N needs --max-size MB (the size of each file)');
  const maxBytes = maxMb === undefined ? undefined : Math.round(maxMb * 1e6);
  const stop = {
    durationSec: num('duration', values.duration, false),
    packetCount: num('count', values.count, true),
    maxBytes: ringFiles === undefined ? maxBytes : undefined,
  };
  const out = values.output;
  return {
    targets,
    filter: values.filter,
    snaplen: num('snaplen', values.snaplen, true),
    format,
    stop: Object.values(stop).some((v) => v !== undefined) ? stop : undefined,
    ring: ringFiles !== undefined ? { files: ringFiles, fileBytes: maxBytes! } : undefined,
    follow: Boolean(values.follow),
    output: out === undefined ? undefined : out.endsWith('/') ? { dir: out } : { path: out },
  };
}

/**
 * The live counters, in the UI's units (shared/units.ts); with `avg`, the rates are that
 * average over the last seconds (what the progress line shows).
 */
export function counterLine(i: CaptureInfo, avg?: { packetsPerSec: number; bytesPerSec: number; seconds: number } | null): string {
  const gaps = i.gaps.length ? `, ${i.gaps.length} gap(s)` : '';
  const r = avg ?? i;
  const over = avg ? ` (last ${Math.max(1, Math.round(avg.seconds))} s)` : '';
  return `${i.state}: ${i.packets} packets, ${formatBytes(i.bytes)}, ${i.dropped} dropped, ${formatPacketRate(r.packetsPerSec)}, ${formatBitRate(r.bytesPerSec)}${over}${gaps}`;
}

/** The end summary: totals, one line per captured interface (a re-attached one says so), each gap. */
export function summaryLines(i: CaptureInfo): string[] {
  const out = [`${i.state} (${i.reason ?? 'unknown'}): ${i.packets} packets, ${i.bytes} bytes, ${i.dropped} dropped by the kernel${i.gaps.length ? `, ${i.gaps.length} gap(s)` : ''}`];
  i.interfaces.forEach((f, k) => {
    // After a restart the same container interface is captured again (on a new veth): say which is which.
    const again = i.interfaces.slice(0, k).some((e) => e.containerName !== null && e.containerName === f.containerName && sameInner(e.label, f.label));
    out.push(`  ${f.label}${again ? ' (re-attached after the restart)' : ''}: ${f.packets} packets, ${f.dropped} dropped${f.ended ? `; ended early: ${f.ended.message}` : ''}`);
  });
  for (const g of i.gaps) {
    const secs = g.to ? (Date.parse(g.to) - Date.parse(g.from)) / 1000 : null;
    out.push(`  gap: ${g.label} not captured ${secs === null ? `since ${g.from}` : `for ${secs < 60 ? `${secs.toFixed(1)} s` : formatDuration(secs)}`} (restart)`);
  }
  if (i.bottleneck) out.push(`  could not keep up: ${i.bottleneck.message}`);
  return out;
}

/** `web-1/eth0 (veth1)` and `web-1/eth0 (veth2)`: the same interface of the container. */
const sameInner = (a: string, b: string) => a.replace(/\s*\(.*\)$/, '') === b.replace(/\s*\(.*\)$/, '');

export async function captureCommand(backend: Backend, args: string[], io: CliIo, signals: NodeJS.EventEmitter = process, now: () => number = Date.now, place?: (req: CaptureRequest) => Promise<CaptureRequest>): Promise<void> {
  // `place`: with --host, each target is put on its host (remote-hosts.ts).
  const req = place ? await place(parseCaptureArgs(args)) : parseCaptureArgs(args);
  // Listening before the start: a capture that ends at once (a count, a vanished target) says so
  // in an event that may come before startCapture's answer.
  let onEvent: (info: CaptureInfo) => void = () => undefined;
  const early = new Map<string, CaptureInfo>();
  const off = backend.on('capture', (info) => onEvent(info));
  onEvent = (info) => void early.set(info.id, info);
  const started = await backend.call('startCapture', req).catch((err: unknown) => (off(), Promise.reject(err)));
  if (!started.ok) {
    off();
    throw new CliExit(USAGE_CODES.has(started.error.code) ? EXIT_USAGE : 1, `capture: ${started.error.message} [${started.error.code}]`);
  }
  const id = started.result.id;
  io.err(`capturing ${started.result.interfaces.map((i) => i.label).join(', ')} into ${started.result.files.join(', ')} (Ctrl-C stops)`);
  if (args.includes('--wireshark')) {
    const live = await backend.call('openCapture', { id, with: 'wireshark-live' });
    io.err(live.ok && live.result.launched ? 'Wireshark opened live on the same targets (through vethscope\'s extcap); its capture ends when you stop it there' : `--wireshark: Wireshark did not open: ${live.ok ? live.result.reason : live.error.message}`);
  }

  let latest: CaptureInfo = started.result;
  let lastLine = 0;
  let saidBottleneck: string | null = null;
  const rates = new RateWindow();
  rates.add(now(), started.result.packets, started.result.bytes);
  let onEnd!: () => void;
  const ended = new Promise<void>((r) => (onEnd = r));
  const isOver = (info: CaptureInfo) => info.state === 'stopped' || info.state === 'failed';
  onEvent = (info) => {
    if (info.id !== id) return;
    latest = info;
    if (isOver(info)) return onEnd();
    const t = now();
    rates.add(t, info.packets, info.bytes);
    // Which side cannot keep up: said once each time it changes, on its own line.
    const b = info.bottleneck?.kind ?? null;
    if (b !== saidBottleneck) {
      saidBottleneck = b;
      if (io.isTTY) io.raw?.('\r\x1b[K');
      io.err(info.bottleneck ? `cannot keep up: ${info.bottleneck.message}` : 'keeping up again');
    }
    // One updating line on a terminal (raw write: io.err would add a newline).
    if (io.isTTY) io.raw?.(`\r\x1b[K${printable(counterLine(info, rates.rate()))}`);
    else if (t - lastLine >= 2000) {
      lastLine = t;
      io.err(counterLine(info, rates.rate()));
    }
  };
  const before = early.get(id);
  if (before && isOver(before)) {
    latest = before;
    onEnd();
  }
  early.clear();
  let stopping: Promise<unknown> | null = null;
  const stop = () => {
    stopping ??= backend.call('stopCapture', { id }).then((r) => {
      if (r.ok) latest = r.result;
      onEnd();
    });
  };
  signals.on('SIGINT', stop);
  signals.on('SIGTERM', stop);
  try {
    await ended;
    if (stopping) await stopping;
  } finally {
    off();
    signals.off('SIGINT', stop);
    signals.off('SIGTERM', stop);
  }
  if (io.isTTY) io.raw?.('\r\x1b[K');
  const i = latest;
  for (const l of summaryLines(i)) io.err(l);
  io.out(i.files.join('\n'));
  if (i.state === 'failed') throw new CliExit(1, `capture: ${i.error?.message ?? i.reason} [${i.error?.code ?? 'INTERNAL'}]`);
}
