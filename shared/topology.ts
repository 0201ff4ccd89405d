// The topology model: how namespaces, interfaces, bridges and containers connect.
// Documented in docs/topology-schema.md. Produced by electron/backend/topology, consumed
// by the CLI, the renderer and the capture engine.
import * as z from 'zod';

export const InterfaceKind = z.enum([
  'veth',
  'bridge',
  'macvlan',
  'ipvlan',
  'vxlan',
  'tun',
  'loopback',
  'physical',
  'other',
]);
export type InterfaceKind = z.infer<typeof InterfaceKind>;

/** An interface in another (or the same) namespace, named by namespace inode and interface name. */
export const InterfaceRef = z.object({ netns: z.number().int(), name: z.string() });
export type InterfaceRef = z.infer<typeof InterfaceRef>;

export const NetInterface = z.object({
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
});
export type NetInterface = z.infer<typeof NetInterface>;

export const Namespace = z.object({
  /** Inode of the namespace (as `stat -L /proc/PID/ns/net` prints). */
  inode: z.number().int(),
  /** `ip netns` names and names of containers living in it. */
  names: z.array(z.string()),
  isHost: z.boolean(),
  /** A few processes inside it (lowest first); empty for a bind-mounted namespace with none. */
  pids: z.array(z.number().int()),
  /** Bind mounts that keep it alive (/run/netns/NAME, /run/docker/netns/ID). */
  paths: z.array(z.string()),
  interfaces: z.array(NetInterface),
});
export type Namespace = z.infer<typeof Namespace>;

export const ContainerNetwork = z.object({
  name: z.string(),
  networkId: z.string().nullable(),
  driver: z.string().nullable(),
  ipv4: z.string().nullable(),
  ipv6: z.string().nullable(),
  mac: z.string().nullable(),
  gateway: z.string().nullable(),
});
export type ContainerNetwork = z.infer<typeof ContainerNetwork>;

export const Container = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  /** running, exited, created, paused, restarting, dead */
  state: z.string(),
  pid: z.number().int().nullable(),
  /** Namespace inode, or null when the container is not running. */
  netns: z.number().int().nullable(),
  /** It shares the host's network namespace (`--network host` or an engine's equivalent): no interfaces of its own. */
  hostNetwork: z.boolean(),
  /** bridge, host, none, container:ID, or a network name. */
  networkMode: z.string(),
  networks: z.array(ContainerNetwork),
  compose: z.object({ project: z.string(), service: z.string() }).nullable(),
  /** Interfaces of its namespace (same objects as in `namespaces`). */
  interfaces: z.array(NetInterface),
});
export type Container = z.infer<typeof Container>;

export const SourceStatus = z.object({
  available: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const Topology = z.object({
  generatedAt: z.string(),
  /** Inode of the host's (PID 1's, or our own) network namespace. */
  hostNetns: z.number().int(),
  containers: z.array(Container),
  namespaces: z.array(Namespace),
  docker: SourceStatus.extend({ endpoint: z.string().optional() }),
  /** Whether namespaces other than the host's could be entered (root or helper). */
  privileged: SourceStatus.extend({ mode: z.enum(['root', 'helper', 'none']) }),
  /** Things the user should know: unresolved peers, skipped namespaces. */
  warnings: z.array(z.string()),
  /** Milliseconds spent discovering. */
  elapsedMs: z.number(),
});
export type Topology = z.infer<typeof Topology>;
