// The privileged helper's protocol: JSON lines over the helper's stdin/stdout.
// Requests {id, op, params}; replies {id, ok, result|error}; events {event, data}.
// Every op has a params schema (the helper validates every request again) and a
// result schema (the client validates every reply), so neither side casts.
//
// What root does for a capture, and nothing more: start one tcpdump per interface,
// inside the right namespace, running as the invoking user with only CAP_NET_RAW,
// writing to a path the user's own process chose (a FIFO or a file in the user's
// folder: the kernel checks the user's permissions, not root's). Packets never pass
// through the helper: the unprivileged backend reads, merges and writes them.
import * as z from 'zod';
import { builtOnFirstUse, builtPerKey } from './lazy';
import { IfaceName } from './capture';
import { ContainerEngine, InterfaceKind, PodRef } from './topology';

/** Longest line either side accepts; longer ones are dropped with an error reply. */
export const HELPER_MAX_LINE = 1 << 20;
export const HELPER_PROTOCOL_VERSION = 2;

/** Resource limits of one helper (one session of one user). */
export const HELPER_LIMITS = {
  /** tcpdumps alive at once, over every capture. */
  liveTcpdumps: 64,
  /** Captures (groups of tcpdumps) alive at once. */
  captures: 16,
  /** Kernel capture buffer (tcpdump -B, KiB) shared by every live tcpdump; each gets a share. */
  ringBudgetKiB: 256 * 1024,
  ringMaxKiB: 64 * 1024,
  ringMinKiB: 2 * 1024,
  /** Longest a tcpdump may run. */
  maxDurationSec: 7 * 24 * 3600,
  /** Filter compilations at once, and the CPU seconds each may use (as the invoking user). */
  filterCompilations: 2,
  filterCpuSec: 5,
} as const;

const AbsPath = builtOnFirstUse(() => z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0') && !p.split('/').includes('..'), 'must be an absolute path without ..'));

/** A namespace named by inode plus a way in; the helper re-checks that the way in leads to that inode. */
export const NetnsHandle = builtOnFirstUse(() => z.object({
  inode: z.number().int().positive(),
  /** /proc/PID/ns/net, /run/netns/NAME or /run/docker/netns/ID. */
  path: AbsPath.refine((p) => /^\/proc\/\d+\/ns\/net$|^\/run\/netns\/[^/]+$|^\/run\/docker\/netns\/[^/]+$|^\/var\/run\/(docker\/)?netns\/[^/]+$/.test(p), 'not a namespace path'),
}));
export type NetnsHandle = z.infer<typeof NetnsHandle>;

/** Printable text for dumpcap's interface name and description (an argv word, never a shell). */
const Label = builtOnFirstUse(() => z.string().max(4096).refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'no control characters'));

/**
 * One capture process on one interface: where it runs and the path it writes to (as the
 * invoking user). With dumpcap, `label` and `comment` become the pcapng interface's name
 * and description in the file itself.
 */
export const TcpdumpSpec = builtOnFirstUse(() => z
  .object({
    netns: NetnsHandle.nullable(), // null: the helper's own (host) namespace
    iface: IfaceName,
    output: AbsPath,
    label: Label.optional(),
    comment: Label.optional(),
  })
  .strict());
export type TcpdumpSpec = z.infer<typeof TcpdumpSpec>;

const CaptureId = builtOnFirstUse(() => z.string().regex(/^[A-Za-z0-9-]{8,64}$/));

// ---- What the kernel readers return (kernel/namespaces.ts), as the helper sends it ----

export const RawLink = builtOnFirstUse(() => z.object({
  ifindex: z.number().int(),
  name: z.string(),
  kind: InterfaceKind,
  /** linkinfo.info_kind as iproute2 prints it (veth, bridge, macvlan, ifb...), or null. */
  rawKind: z.string().nullable(),
  mac: z.string().nullable(),
  mtu: z.number().int().nullable(),
  state: z.string(),
  addresses: z.array(z.string()),
  master: z.string().nullable(),
  /** IFLA_LINK: the peer's (veth) or parent's (macvlan...) ifindex, or null. */
  linkIndex: z.number().int().nullable(),
  /** IFLA_LINK_NETNSID: the namespace of that link, as an id local to this namespace; null = same namespace. */
  linkNetnsid: z.number().int().nullable(),
  /** Read from sysfs, which does not expose IFLA_LINK_NETNSID: the link's namespace is not known (not "same"). */
  linkNetnsUnknown: z.boolean().optional(),
}));
export type RawLink = z.infer<typeof RawLink>;

export const RawNamespace = builtOnFirstUse(() => z.object({
  inode: z.number().int(),
  isHost: z.boolean(),
  /** Processes inside, lowest first (the host's capped: it holds most of them). */
  pids: z.array(z.number().int()),
  /** Bind mounts naming it. */
  paths: z.array(z.string()),
  /** `ip netns` names (basename of /run/netns/NAME). */
  netnsNames: z.array(z.string()),
  links: z.array(RawLink),
  /** Why the interfaces could not be read, if they could not. */
  error: z.string().nullable(),
  /** How the interfaces were read: `ip` (inside the namespace, or the host) or the fast sysfs path. */
  source: z.enum(['ip', 'sysfs']).optional(),
}));
export type RawNamespace = z.infer<typeof RawNamespace>;

export const NamespaceScan = builtOnFirstUse(() => z.object({
  hostInode: z.number().int(),
  namespaces: z.array(RawNamespace),
  /** Whether other namespaces could be entered (root). */
  privileged: z.boolean(),
  warnings: z.array(z.string()),
}));
export type NamespaceScan = z.infer<typeof NamespaceScan>;

/** A Docker container, only the fields the topology shows (never environments or mounts). */
export const EngineContainer = builtOnFirstUse(() => z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string(),
  pid: z.number().int().nullable(),
  networkMode: z.string(),
  networks: z.array(
    z.object({
      name: z.string(),
      networkId: z.string().nullable(),
      driver: z.string().nullable(),
      ipv4: z.string().nullable(),
      ipv6: z.string().nullable(),
      mac: z.string().nullable(),
      gateway: z.string().nullable(),
    }),
  ),
  compose: z.object({ project: z.string(), service: z.string() }).nullable(),
  /** Docker's netns bind mount (SandboxKey), if any. */
  sandboxKey: z.string().nullable(),
}));
export type EngineContainer = z.infer<typeof EngineContainer>;

/**
 * A running container named from what its engine leaves on the host (processes, cgroups,
 * state files), for every engine at once. Names, ids, image and pod only: never an
 * environment, a mount or an annotation beyond the naming ones.
 */
export const HostContainer = builtOnFirstUse(() => z.object({
  engine: ContainerEngine,
  id: z.string().max(256),
  name: z.string().max(256),
  image: z.string().max(512).nullable(),
  pod: PodRef.nullable(),
  /** The pod's infra/pause/sandbox container. */
  infra: z.boolean(),
  /** Its main process (in the host's PID namespace). */
  pid: z.number().int().positive(),
  /** Inode of its network namespace, when it could be read. */
  netns: z.number().int().nullable(),
  /** Who runs it: 0 for root, else the user of a rootless container. */
  uid: z.number().int().nonnegative(),
  /** Docker's compose labels (from its state files when the API is not the one DOCKER_HOST names). */
  compose: z.object({ project: z.string(), service: z.string() }).nullable(),
}));
export type HostContainer = z.infer<typeof HostContainer>;

export const HostContainerListing = builtOnFirstUse(() => z.object({
  containers: z.array(HostContainer).max(65536),
  warnings: z.array(z.string()).max(256),
}));
export type HostContainerListing = z.infer<typeof HostContainerListing>;

export const NamespaceCounters = builtOnFirstUse(() => z.object({
  inode: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  links: z.array(
    z.object({
      ifname: z.string(),
      ifindex: z.number().int(),
      rxBytes: z.number(),
      rxPackets: z.number(),
      rxErrors: z.number(),
      rxDropped: z.number(),
      txBytes: z.number(),
      txPackets: z.number(),
      txErrors: z.number(),
      txDropped: z.number(),
    }),
  ),
}));

// ---- Capture ----

/** How one tcpdump ended: stopped (asked to), exited (by itself: -c reached), gone (interface vanished), error. */
export const TcpdumpEnd = builtOnFirstUse(() => z.enum(['stopped', 'exited', 'gone', 'error']));
export type TcpdumpEnd = z.infer<typeof TcpdumpEnd>;

/** tcpdump's own counters for one interface (its SIGUSR1 and exit reports). */
export const TcpdumpCounters = builtOnFirstUse(() => z.object({
  /** Position in startCapture's ifaces, then attached ones in order. */
  index: z.number().int(),
  /** Packets tcpdump says it wrote. */
  captured: z.number().int(),
  receivedByFilter: z.number().int(),
  droppedByKernel: z.number().int(),
  ended: TcpdumpEnd.nullable(),
  message: z.string().nullable(),
}));
export type TcpdumpCounters = z.infer<typeof TcpdumpCounters>;

const Started = builtOnFirstUse(() => z.object({
  index: z.number().int(),
  /** What tcpdump said it captures, e.g. "EN10MB (Ethernet)". */
  linkType: z.string(),
  /** tcpdump -B this interface got (KiB): its share of HELPER_LIMITS.ringBudgetKiB. */
  bufferKiB: z.number().int(),
  /** The capture process (it runs as the invoking user): the backend reads its CPU use in /proc. */
  pid: z.number().int().positive().optional(),
}));

const op = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const helperOps = builtPerKey({
  hello: () => op(
    z.object({}).strict(),
    z.object({ version: z.number().int(), uid: z.number().int(), pid: z.number().int(), invokingUid: z.number().int(), invokingGid: z.number().int() }),
  ),
  /** List every network namespace and its interfaces. */
  scanNamespaces: () => op(z.object({}).strict(), NamespaceScan),
  /** Docker's containers for a user the socket refuses. Only a root-owned socket named docker.sock. */
  listContainers: () => op(z.object({ socket: AbsPath }).strict(), z.array(EngineContainer)),
  /** Containers of every engine, named from the host's processes and the engines' state files (root reads them). */
  listHostContainers: () => op(z.object({ dockerStateFiles: z.boolean().optional() }).strict(), HostContainerListing),
  /** Interface counters inside namespaces that have no host-side view. */
  readCounters: () => op(z.object({ namespaces: z.array(NetnsHandle).max(4096) }).strict(), z.object({ namespaces: z.array(NamespaceCounters) })),
  /**
   * Start one tcpdump per interface. The filter is compiled first (as the invoking user, CPU-limited):
   * BAD_FILTER before anything runs. Refused: pseudo-devices (any, nflog, dbus-...), names that are
   * not an interface of the target namespace, an interface another live tcpdump already captures,
   * more than HELPER_LIMITS allow.
   */
  startCapture: () => op(
    z
      .object({
        captureId: CaptureId,
        ifaces: z.array(TcpdumpSpec).min(1).max(HELPER_LIMITS.liveTcpdumps),
        filter: z.string().max(4096),
        snaplen: z.number().int().min(64).max(262144),
        /** tcpdump -c: it exits by itself after this many packets (one interface only). */
        packetCount: z.number().int().positive().optional(),
        /** The helper stops every tcpdump after this long, whatever the client does. */
        maxDurationSec: z.number().int().min(1).max(HELPER_LIMITS.maxDurationSec),
        /** --immediate-mode (default): packets leave the kernel at once, not in 1 s blocks (tcpdump only). */
        immediate: z.boolean().optional(),
        /**
         * tcpdump (default): classic pcap, to a FIFO or the file. dumpcap (Wireshark's capture engine):
         * pcapng written straight to the file, the interface named `label`, the section commented.
         */
        engine: z.enum(['tcpdump', 'dumpcap']).optional(),
        captureComment: z.string().max(8192).refine((c) => !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(c), 'no control characters but newlines').optional(),
      })
      .strict(),
    z.object({ captureId: z.string(), ifaces: z.array(Started) }),
  ),
  /** Another interface for a running capture (follow, after a restart). */
  attachInterface: () => op(z.object({ captureId: CaptureId, iface: TcpdumpSpec }).strict(), Started),
  /** SIGINT to every tcpdump of the capture; resolves once all have exited, with their last counters. */
  stopCapture: () => op(z.object({ captureId: CaptureId }).strict(), z.object({ captureId: z.string(), ifaces: z.array(TcpdumpCounters) })),
  shutdown: () => op(z.object({}).strict(), z.object({ bye: z.literal(true) })),
});
export type HelperOp = keyof typeof helperOps;
export type HelperParams<O extends HelperOp> = z.input<(typeof helperOps)[O]['params']>;
export type HelperParsedParams<O extends HelperOp> = z.output<(typeof helperOps)[O]['params']>;
export type HelperResult<O extends HelperOp> = z.output<(typeof helperOps)[O]['result']>;

export const helperEvents = builtOnFirstUse(() => ({
  /** tcpdump's counters, about once a second while they change (and once more when they stop). */
  captureStats: z.object({ captureId: z.string(), ifaces: z.array(TcpdumpCounters) }),
  /** One tcpdump ended without being asked to: the backend decides (follow, target-gone, count). */
  captureIfaceEnded: z.object({ captureId: z.string(), index: z.number().int(), reason: TcpdumpEnd, message: z.string(), counters: TcpdumpCounters }),
} as const));
export type HelperEvent = keyof typeof helperEvents;
export type HelperEventData<E extends HelperEvent> = z.output<(typeof helperEvents)[E]>;

export const HelperRequest = builtOnFirstUse(() => z.object({
  id: z.number().int().nonnegative(),
  op: z.string().max(64),
  params: z.unknown(),
}));

export const HelperReply = builtOnFirstUse(() => z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ event: z.string(), data: z.unknown() }),
]));
export type HelperReply = z.infer<typeof HelperReply>;
