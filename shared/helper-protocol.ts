// The privileged helper's protocol: JSON lines over the helper's stdin/stdout.
// Requests {id, op, params}; replies {id, ok, result|error}; events {event, data}.
// Both sides validate with these schemas; the helper validates every request again.
import * as z from 'zod';
import { IfaceName } from './capture';

/** Longest line either side accepts; longer ones are dropped with an error reply. */
export const HELPER_MAX_LINE = 1 << 20;
export const HELPER_PROTOCOL_VERSION = 1;

const AbsPath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0') && !p.split('/').includes('..'), 'must be an absolute path without ..');

/** A namespace named by inode plus a way in; the helper re-checks that the way in leads to that inode. */
export const NetnsHandle = z.object({
  inode: z.number().int().positive(),
  /** /proc/PID/ns/net, /run/netns/NAME or /run/docker/netns/ID. */
  path: AbsPath.refine((p) => /^\/proc\/\d+\/ns\/net$|^\/run\/netns\/[^/]+$|^\/run\/docker\/netns\/[^/]+$|^\/var\/run\/(docker\/)?netns\/[^/]+$/.test(p), 'not a namespace path'),
});
export type NetnsHandle = z.infer<typeof NetnsHandle>;

export const CaptureSpecIface = z.object({
  netns: NetnsHandle.nullable(), // null: the helper's own (host) namespace
  iface: IfaceName,
  /** Interface Description Block name and comment. */
  label: z.string().max(256),
  comment: z.string().max(4096),
});

export const helperOps = {
  hello: { params: z.object({}).strict() },
  /** List every network namespace and its interfaces (raw `ip -j -d addr` per namespace). */
  scanNamespaces: { params: z.object({}).strict() },
  /**
   * Docker's containers (only the fields the topology shows) for a user the socket refuses.
   * Only a root-owned socket named docker.sock.
   */
  listContainers: { params: z.object({ socket: AbsPath }).strict() },
  /** Compile a filter with `tcpdump -d` without capturing. */
  validateFilter: { params: z.object({ filter: z.string().max(4096), linkType: z.string().max(32).optional() }).strict() },
  /** Read interface counters inside namespaces that have no host-side view. */
  readCounters: { params: z.object({ namespaces: z.array(NetnsHandle).max(4096) }).strict() },
  startCapture: {
    params: z
      .object({
        captureId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/),
        ifaces: z.array(CaptureSpecIface).min(1).max(64),
        filter: z.string().max(4096),
        snaplen: z.number().int().min(64).max(262144),
        format: z.enum(['pcapng', 'pcap']),
        /** Absolute file path the helper creates as the invoking user (O_EXCL). */
        path: AbsPath,
        sectionComment: z.string().max(8192),
        stop: z.object({ durationSec: z.number().positive().optional(), packetCount: z.number().int().positive().optional(), maxBytes: z.number().int().positive().optional() }).strict(),
        ring: z.object({ files: z.number().int().min(2).max(1000), fileBytes: z.number().int().min(4096) }).strict().nullable(),
        /**
         * Follow: once every interface is gone, wait up to this long for an
         * attachInterface instead of ending with target-gone after 1.5 s (the
         * backend watches the container and stops the capture itself).
         * Optional: older clients leave it out.
         */
        keepAliveSec: z.number().int().min(1).max(3600).optional(),
        /**
         * Who writes the file. 'helper' (default): tcpdump's stream is parsed and
         * written by the helper (pcapng merge, ring). 'tcpdump': classic pcap of one
         * interface without a ring only; tcpdump writes the file itself (the fd the
         * helper created as the user is its stdout), so no packet byte passes
         * through node. Optional: older clients leave it out.
         */
        writer: z.enum(['helper', 'tcpdump']).optional(),
      })
      .strict(),
  },
  /** Attach another interface to a running capture (follow after a restart). */
  attachInterface: { params: z.object({ captureId: z.string().max(64), iface: CaptureSpecIface }).strict() },
  stopCapture: { params: z.object({ captureId: z.string().max(64) }).strict() },
  shutdown: { params: z.object({}).strict() },
} as const;
export type HelperOp = keyof typeof helperOps;

export const HelperRequest = z.object({
  id: z.number().int().nonnegative(),
  op: z.string().max(64),
  params: z.unknown(),
});

export const HelperReply = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ event: z.string(), data: z.unknown() }),
]);
export type HelperReply = z.infer<typeof HelperReply>;

// ---- Replies and events of the capture ops ----

/** startCapture's result. */
export const HelperCaptureStarted = z.object({
  captureId: z.string(),
  /** Files created so far (the first ring file, or the one file). Owned by the invoking user. */
  files: z.array(z.string()),
  /** Link type tcpdump reported per interface, in the order of `ifaces`. */
  linkTypes: z.array(z.number().int()),
});

/** Per-interface counters inside stats events, index = position in startCapture's ifaces (+ attached ones). */
export const HelperIfaceStats = z.object({
  index: z.number().int(),
  packets: z.number().int(),
  bytes: z.number().int(),
  /** Kernel drops as tcpdump reports them (polled with SIGUSR1). */
  dropped: z.number().int(),
  /** Set once this interface's tcpdump has exited. */
  ended: z.enum(['gone', 'error', 'stopped']).nullable(),
  message: z.string().nullable(),
});

export const helperEvents = {
  /** About twice a second while a capture runs. */
  captureStats: z.object({
    captureId: z.string(),
    packets: z.number().int(),
    bytes: z.number().int(),
    dropped: z.number().int(),
    files: z.array(z.string()),
    ifaces: z.array(HelperIfaceStats),
  }),
  /** The heads of recent packets (≤ 256 bytes each, ≤ 200 per event), decoded unprivileged by the backend. */
  captureSamples: z.object({
    captureId: z.string(),
    samples: z.array(
      z.object({
        iface: z.number().int(),
        tsSec: z.number().int(),
        tsUsec: z.number().int(),
        origLen: z.number().int(),
        linkType: z.number().int(),
        /** base64 */
        data: z.string(),
      }),
    ),
  }),
  /** One interface stopped delivering (its tcpdump exited): the backend decides (target-gone, follow). */
  captureIfaceEnded: z.object({ captureId: z.string(), iface: z.number().int(), reason: z.enum(['gone', 'error']), message: z.string() }),
  /** The capture is over; files are complete and readable. */
  captureEnded: z.object({
    captureId: z.string(),
    reason: z.enum(['user', 'duration', 'count', 'size', 'target-gone', 'disk-full', 'error']),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    packets: z.number().int(),
    bytes: z.number().int(),
    dropped: z.number().int(),
    files: z.array(z.string()),
  }),
} as const;
export type HelperEvent = keyof typeof helperEvents;
