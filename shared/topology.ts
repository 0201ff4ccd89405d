// The topology model: how namespaces, interfaces, bridges and containers connect.
// Documented in docs/topology-schema.md. Produced by electron/backend/topology, consumed
// by the CLI, the renderer and the capture engine.
import * as z from 'zod';
import { builtOnFirstUse } from './lazy';

export const InterfaceKind = builtOnFirstUse(() => z.enum([
  'veth',
  'bridge',
  'macvlan',
  'ipvlan',
  'vxlan',
  'tun',
  'loopback',
  'physical',
  'other',
]));
export type InterfaceKind = z.infer<typeof InterfaceKind>;

/** An interface in another (or the same) namespace, named by namespace inode and interface name. */
export const InterfaceRef = builtOnFirstUse(() => z.object({ netns: z.number().int(), name: z.string() }));
export type InterfaceRef = z.infer<typeof InterfaceRef>;

export const NetInterface = builtOnFirstUse(() => z.object({
  name: z.string(),
  ifindex: z.number().int(),
  kind: InterfaceKind,
  mac: z.string().nullable(),
  mtu: z.number().int().nullable(),
  /** operstate as the kernel reports it: UP, DOWN, UNKNOWN, LOWERLAYERDOWN... */
  state: z.string(),
  /** CIDR strings, IPv4 and IPv6. */
  addresses: z.array(z.string()),
  /** Name of the bridge this interface is a port of (same namespace), or null. */
  master: z.string().nullable(),
  /** For a veth whose peer is in the host namespace: the host-side interface name. */
  hostPeer: z.string().nullable(),
  /** For a veth: its peer, wherever it lives. */
  peer: InterfaceRef.nullable(),
  /** For macvlan/ipvlan/vxlan/vlan: the link it sits on. */
  parent: InterfaceRef.nullable(),
}));
export type NetInterface = z.infer<typeof NetInterface>;

export const Namespace = builtOnFirstUse(() => z.object({
  /** Inode of the namespace (as `stat -L /proc/PID/ns/net` prints). */
  inode: z.number().int(),
  /**
   * What to call it, best first: `ip netns` names a person chose, the containers living in
   * it, their pod, then engine-internal file names (`netns-UUID`, `cni-UUID`).
   */
  names: z.array(z.string()),
  isHost: z.boolean(),
  /** A few processes inside it (lowest first); empty for a bind-mounted namespace with none. */
  pids: z.array(z.number().int()),
  /** Bind mounts that keep it alive (/run/netns/NAME, /run/docker/netns/ID). */
  paths: z.array(z.string()),
  interfaces: z.array(NetInterface),
}));
export type Namespace = z.infer<typeof Namespace>;

export const ContainerNetwork = builtOnFirstUse(() => z.object({
  name: z.string(),
  networkId: z.string().nullable(),
  driver: z.string().nullable(),
  ipv4: z.string().nullable(),
  ipv6: z.string().nullable(),
  mac: z.string().nullable(),
  gateway: z.string().nullable(),
}));
export type ContainerNetwork = z.infer<typeof ContainerNetwork>;

/** Which engine made a container. Docker's output predates the field, hence the default. */
export const ContainerEngine = builtOnFirstUse(() => z.enum(['docker', 'podman', 'containerd', 'cri-o', 'lxc', 'nspawn']));
export type ContainerEngine = z.infer<typeof ContainerEngine>;

/** A Kubernetes pod (namespace = its Kubernetes namespace) or a Podman pod (namespace null). */
export const PodRef = builtOnFirstUse(() => z.object({ name: z.string(), namespace: z.string().nullable() }));
export type PodRef = z.infer<typeof PodRef>;

export const Container = builtOnFirstUse(() => z.object({
  /** Full id as the engine knows it (LXC and systemd-nspawn have none but the name). */
  id: z.string(),
  /** The engine's own name for it: `web-1`, a Kubernetes container name, `default/ID` for plain containerd. */
  name: z.string(),
  /** Image as configured; empty when the engine has none (LXC, systemd-nspawn) or it is not known. */
  image: z.string(),
  engine: ContainerEngine.default('docker'),
  pod: PodRef.nullable().default(null),
  /** The pod's infra (pause, sandbox) container: it only holds the namespaces its pod's containers share. */
  infra: z.boolean().default(false),
  /** For a rootless container: the uid of the user running it (its user namespace's owner); null when root runs it. */
  user: z.number().int().nullable().default(null),
  /** running, exited, created, paused, restarting, dead */
  state: z.string(),
  pid: z.number().int().nullable(),
  /** Namespace inode, or null when the container is not running. */
  netns: z.number().int().nullable(),
  /** It shares the host's network namespace (`--network host` or an engine's equivalent): no interfaces of its own. */
  hostNetwork: z.boolean(),
  /** bridge, host, none, container:ID, or a network name; for engines without such a setting: `host`, `pod` or `private`. */
  networkMode: z.string(),
  networks: z.array(ContainerNetwork),
  compose: z.object({ project: z.string(), service: z.string() }).nullable(),
  /** Interfaces of its namespace (same objects as in `namespaces`). */
  interfaces: z.array(NetInterface),
}));
export type Container = z.infer<typeof Container>;

export const SourceStatus = builtOnFirstUse(() => z.object({
  available: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
}));

export const EngineStatus = builtOnFirstUse(() => z.object({
  engine: ContainerEngine,
  /** Containers of this engine in `containers`. */
  containers: z.number().int(),
  /** Where the names came from: the engine's API, the files it leaves on the host, or both. */
  sources: z.array(z.enum(['api', 'host'])),
}));
export type EngineStatus = z.infer<typeof EngineStatus>;

export const Topology = builtOnFirstUse(() => z.object({
  generatedAt: z.string(),
  /** Inode of the host's (PID 1's, or our own) network namespace. */
  hostNetns: z.number().int(),
  containers: z.array(Container),
  namespaces: z.array(Namespace),
  docker: SourceStatus.extend({ endpoint: z.string().optional() }),
  /** Every engine that has containers here, and where their names came from. */
  engines: z.array(EngineStatus).default([]),
  /** Whether namespaces other than the host's could be entered (root or helper). */
  privileged: SourceStatus.extend({ mode: z.enum(['root', 'helper', 'none']) }),
  /** Things the user should know: unresolved peers, skipped namespaces. */
  warnings: z.array(z.string()),
  /** Milliseconds spent discovering. */
  elapsedMs: z.number(),
}));
export type Topology = z.infer<typeof Topology>;

/** Engine-internal file names for a namespace (`netns-UUID`, `cni-UUID`, `rootless-netns-HEX`): they name no container a person knows. */
export const isEngineInternalName = (n: string): boolean =>
  /^(netns|cni)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(n) || /^rootless-netns-[0-9a-f]+$/.test(n);

// ---- Several hosts (issue 15): the local one and remote Docker hosts reached over SSH ----

/** The local host's id. */
export const LOCAL_HOST = 'local';

/**
 * A remote host as typed after ssh:// (`[user@]host[:port]`, `~/.ssh/config` aliases included):
 * letters, digits, dots and dashes (or an [IPv6] address), never a leading '-' (ssh would read an option).
 */
export const REMOTE_HOST_ID = /^(?:[a-z_][a-z0-9_.-]{0,31}@)?(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;
export const HostId = builtOnFirstUse(() => z.string().max(300).refine((s) => s === LOCAL_HOST || REMOTE_HOST_ID.test(s), 'not a host: expected local or [user@]host[:port]'));

export const HostStatus = builtOnFirstUse(() => z.object({
  /** `local`, or `[user@]host[:port]` as added. */
  id: z.string(),
  /** What labels say (`host/container/eth0`): the host part of the id. */
  name: z.string(),
  /** ssh://[user@]host[:port], or empty for the local host. */
  url: z.string(),
  /** Who added it: the local host, the host list, the command line, a `docker context`, DOCKER_HOST. */
  source: z.enum(['local', 'added', 'command-line', 'docker-context', 'docker-host']),
  /** A docker context's name when it came from one. */
  context: z.string().nullable(),
  state: z.enum(['connecting', 'reachable', 'unreachable']),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Last round trip (ms), or null before the first. */
  latencyMs: z.number().nullable(),
  /** When the host last answered (ISO time). */
  lastSeen: z.string().nullable(),
  /** The remote's own `hostname` (escaped, capped): shown, never used as a label or a command. */
  remoteHostname: z.string().nullable(),
  /** How privileged work runs there: vethscope's installed helper, or the fixed command set. */
  via: z.enum(['helper', 'commands']).nullable(),
  /** Unreachable: when the next attempt is due (ISO time). */
  retryAt: z.string().nullable(),
}));
export type HostStatus = z.infer<typeof HostStatus>;
