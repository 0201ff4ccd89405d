// The one way tests run the real tshark/capinfos against files our code wrote:
// they are the judge. Reading a file needs no root, so unit tests use this too.
// Every view below is built on runTshark / tsharkFields, each with the contract
// its callers had: tsharkFields, tsharkFrames and capinfos throw when tshark
// cannot read the file; tsharkRun and tsharkView return the exit status instead.
import { execFileSync, spawnSync } from 'node:child_process';

const found = (bin: string) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0;
export const hasTshark = found('tshark') && found('capinfos');
export const NO_TSHARK = 'tshark/capinfos not installed';

const MAX_BUFFER = 256 << 20;

export interface TsharkResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** tshark's output and exit status, for checks that it read a file without complaint. */
export function tsharkRun(args: string[]): TsharkResult {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: MAX_BUFFER });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const fieldArgs = (file: string, fields: string[], extra: string[]) => [
  '-n', '-r', file, ...extra,
  '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,',
  ...fields.flatMap((f) => ['-e', f]),
];
const rowsOf = (out: string) => out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));

/** One row per packet, one string per field (tshark -T fields); throws when tshark fails. */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const out = execFileSync('tshark', fieldArgs(file, fields, extra), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: MAX_BUFFER });
  return rowsOf(out);
}

export interface Frame {
  iface: string;
  time: number;
  src: string;
  dst: string;
  proto: string;
}

/** Interface, time, IPv4 addresses and protocol of every frame; a broken file (non-zero exit) throws. */
export function tsharkFrames(file: string): Frame[] {
  return tsharkFields(file, ['frame.interface_name', 'frame.time_epoch', 'ip.src', 'ip.dst', '_ws.col.Protocol']).map(([iface = '', time = '0', src = '', dst = '', proto = '']) => ({
    iface,
    time: Number(time),
    src,
    dst,
    proto,
  }));
}

export interface TsharkView {
  code: number | null;
  stderr: string;
  frames: Array<{ iface: string; time: number }>;
  ifaceNames: string[];
}

/** Frames with interface name and epoch time, and tshark's exit code and stderr (never throws). */
export function tsharkView(file: string): TsharkView {
  const r = tsharkRun(fieldArgs(file, ['frame.interface_name', 'frame.time_epoch'], []));
  const frames = rowsOf(r.stdout).map(([iface = '', time]) => ({ iface, time: Number(time) }));
  return { code: r.status, stderr: r.stderr, frames, ifaceNames: [...new Set(frames.map((f) => f.iface))] };
}

/** capinfos -M output as a map of its "Label: value" lines. */
export function capinfos(file: string): Map<string, string> {
  const out = execFileSync('capinfos', ['-M', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return m;
}

export interface FileCheck {
  file: string;
  type: string;
  /** tshark -z io,stat,0 frames. */
  tshark: number;
  /** capinfos -c packets (an independent second reader). */
  capinfos: number;
}

/**
 * Read a capture file with tshark and capinfos. Throws with their words when either
 * cannot read it (cut short, not a capture file) or they disagree on the count.
 */
export function checkCaptureFile(file: string): FileCheck {
  const ci = spawnSync('capinfos', ['-M', '-t', '-c', file], { encoding: 'utf8' });
  if (ci.status !== 0) throw new Error(`capinfos cannot read ${file} (exit ${ci.status}): ${(ci.stderr || ci.stdout).trim().slice(0, 400)}`);
  const type = /File type:\s*(.+)/.exec(ci.stdout)?.[1]?.trim() ?? '?';
  if (!/pcap/i.test(type)) throw new Error(`${file} is not a pcap/pcapng file (capinfos: ${type})`);
  const capinfosCount = Number(/Number of packets:\s*(\d+)/.exec(ci.stdout)?.[1] ?? NaN);
  const ts = tsharkRun(['-n', '-r', file, '-q', '-z', 'io,stat,0']);
  const complaint = ts.stderr.split('\n').filter((l) => l.trim() && !/Running as user/.test(l));
  if (ts.status !== 0 || complaint.length) throw new Error(`tshark cannot read ${file} (exit ${ts.status}): ${complaint.join(' ').slice(0, 400)}`);
  // "| 0.000 <> 0.204 |      3 |   294 |"; no such row when the file holds no packets.
  const m = /\|\s*[\d.]+\s*<>\s*(?:[\d.]+|Dur)\s*\|\s*(\d+)\s*\|/.exec(ts.stdout);
  const tsharkCount = m ? Number(m[1]) : 0;
  if (tsharkCount !== capinfosCount) throw new Error(`${file}: tshark counts ${tsharkCount} packets, capinfos ${capinfosCount}`);
  return { file, type, tshark: tsharkCount, capinfos: capinfosCount };
}

/** How tshark marks a packet cut by the snap length; our summaries say the same. */
export const TRUNC = '[Packet size limited during capture]';

/**
 * tshark's Info column without what legitimately differs from our summary: its analysis
 * prefixes ("[TCP Retransmission] "), its stateful TCP numbers (relative Seq/Ack, scaled
 * Win; we print header values), and the spacing before a truncation note.
 */
export function normalizeInfo(info: string): string {
  return info
    .replace(/^(\[TCP [^\]]+\] )+/, '')
    .replace(/ (Seq|Ack|Win)=\d+/g, '')
    .replace(/\s*\[Packet size limited during capture\]/, ` ${TRUNC}`)
    .trim();
}
