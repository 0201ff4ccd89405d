// The capture contract: what the UI and CLI ask for and what they are told back.
import * as z from 'zod';
import { builtOnFirstUse } from './lazy';
import { HostId, InterfaceRef } from './topology';
import { CodedError } from './result';

/** Interface names as the kernel allows them (IFNAMSIZ 16), never starting with '-'. */
export const IfaceName = builtOnFirstUse(() => z.string().regex(/^[A-Za-z0-9_.:@+][A-Za-z0-9_.:@+-]{0,14}$/, 'not a valid interface name'));

export const CaptureTarget = builtOnFirstUse(() => z.discriminatedUnion('type', [
  z.object({
    type: z.literal('container'),
    /** Container name or id prefix. */
    container: z.string().min(1).max(256),
    /** Capture only these of its interfaces (default: all but lo). */
    interfaces: z.array(IfaceName).max(64).optional(),
    /** Which host it runs on (default: local). */
    host: HostId.optional(),
  }),
  z.object({ type: z.literal('host'), iface: IfaceName, host: HostId.optional() }),
  z.object({
    type: z.literal('netns'),
    /** `ip netns` name or namespace inode. */
    netns: z.string().min(1).max(256),
    iface: IfaceName,
    host: HostId.optional(),
  }),
]));
export type CaptureTarget = z.infer<typeof CaptureTarget>;

/** Parse a target as typed on a command line (CLI, extcap): host:IFACE, netns:NAME_OR_INODE:IFACE, or a container. */
export function parseTargetWord(word: string): CaptureTarget {
  if (word.startsWith('host:')) return { type: 'host', iface: word.slice(5) };
  if (word.startsWith('netns:')) {
    const rest = word.slice(6);
    const cut = rest.lastIndexOf(':');
    if (cut <= 0) throw new CodedError('INVALID_INPUT', `"${word}": expected netns:NAME_OR_INODE:IFACE`);
    return { type: 'netns', netns: rest.slice(0, cut), iface: rest.slice(cut + 1) };
  }
  return { type: 'container', container: word };
}

export const CaptureFormat = builtOnFirstUse(() => z.enum(['pcapng', 'pcap']));

/** The one rule: classic pcap has no interface blocks, so it holds exactly one interface. */
export function checkFormatFits(format: 'pcapng' | 'pcap', interfaces: number, follow: boolean): void {
  if (format === 'pcap' && (interfaces > 1 || follow))
    throw new CodedError('INVALID_INPUT', `classic pcap holds exactly one interface (this capture has ${interfaces}${follow ? ' and --follow may add more' : ''}): use pcapng`);
}

export const CaptureRequest = builtOnFirstUse(() => z.object({
  targets: z.array(CaptureTarget).min(1).max(64),
  /** BPF filter; validated with `tcpdump -d` before anything starts. */
  filter: z.string().max(4096).optional(),
  snaplen: z.number().int().min(64).max(262144).optional(),
  format: CaptureFormat.default('pcapng'),
  stop: z
    .object({
      durationSec: z.number().positive().max(7 * 24 * 3600).optional(),
      packetCount: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
    })
    .optional(),
  /** Ring buffer: keep the last `files` files of `fileBytes` each. */
  ring: z.object({ files: z.number().int().min(2).max(1000), fileBytes: z.number().int().min(4096) }).optional(),
  /** Re-attach when a container target restarts, recording the gap. */
  follow: z.boolean().default(false),
  /**
   * A file path, or a folder (names come from the targets and the time). Default: ~/vethscope-captures.
   * `fifo`: stream pcapng into this existing FIFO once its reader opens it (Wireshark's extcap); no file is kept.
   */
  output: z
    .object({ path: z.string().min(1).max(4096).optional(), dir: z.string().min(1).max(4096).optional(), fifo: z.string().startsWith('/').max(4096).optional() })
    .refine((o) => !o.fifo || (!o.path && !o.dir), 'a FIFO is the whole output: no path or dir with it')
    .optional(),
}));
export type CaptureRequest = z.input<typeof CaptureRequest>;
export type CaptureRequestParsed = z.output<typeof CaptureRequest>;

export const CaptureState = builtOnFirstUse(() => z.enum(['starting', 'running', 'stopping', 'stopped', 'failed']));
export const StopReason = builtOnFirstUse(() => z.enum(['user', 'duration', 'count', 'size', 'target-gone', 'disk-full', 'error', 'helper-died']));

/** One captured interface as resolved at start (or re-attach) time. */
export const CaptureInterface = builtOnFirstUse(() => z.object({
  /** What Wireshark shows as the interface name, e.g. `web-1/eth0 (veth1a2b3c)`. */
  label: z.string(),
  containerId: z.string().nullable(),
  containerName: z.string().nullable(),
  /** Where tcpdump actually runs: this namespace and interface. */
  at: InterfaceRef,
  packets: z.number().int(),
  dropped: z.number().int(),
  /** The host it was captured on, when not the local one. */
  host: z.string().optional(),
  /** Set when this interface's part ended before the capture did (its host dropped, its container went away): why. */
  ended: z.object({ reason: z.string(), message: z.string() }).optional(),
}));

/** While a capture runs: which side cannot keep up (the capture engine's CPU, the disk, the kernel's buffer). */
export const CaptureBottleneck = builtOnFirstUse(() => z.object({ kind: z.enum(['cpu', 'disk', 'kernel']), message: z.string() }));
export type CaptureBottleneck = z.infer<typeof CaptureBottleneck>;

export const CaptureInfo = builtOnFirstUse(() => z.object({
  id: z.string(),
  state: CaptureState,
  reason: StopReason.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  format: CaptureFormat,
  filter: z.string(),
  targets: z.array(CaptureTarget),
  interfaces: z.array(CaptureInterface),
  files: z.array(z.string()),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  packets: z.number().int(),
  bytes: z.number().int(),
  /** Kernel drops, summed over interfaces, as tcpdump reports them. */
  dropped: z.number().int(),
  packetsPerSec: z.number(),
  bytesPerSec: z.number(),
  /** Periods when a followed target was down. */
  gaps: z.array(z.object({ label: z.string(), from: z.string(), to: z.string().nullable() })),
  /** Epoch seconds of the capture's earliest packet (what Wireshark counts its times from), once there is one. */
  firstPacketTime: z.number().nullable().optional(),
  /** Set while the capture cannot keep up, and why; absent or null while it does. */
  bottleneck: CaptureBottleneck.nullable().optional(),
}));
export type CaptureInfo = z.infer<typeof CaptureInfo>;

export const PacketSummary = builtOnFirstUse(() => z.object({
  no: z.number().int(),
  /** Seconds since the epoch, microsecond precision. */
  time: z.number(),
  iface: z.string(),
  src: z.string(),
  dst: z.string(),
  protocol: z.string(),
  length: z.number().int(),
  info: z.string(),
}));
export type PacketSummary = z.infer<typeof PacketSummary>;
