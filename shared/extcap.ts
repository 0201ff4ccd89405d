// How vethscope's containers are named in Wireshark's interface list, and how Wireshark is
// told to capture some of them: shared by the extcap (which lists and captures) and the
// Backend (which starts Wireshark on a running capture's containers). Zod-free: the
// extcap's listing must start fast.

/** The extcap program's file name in Wireshark's extcap folder. */
export const EXTCAP_PROGRAM = 'vethscope';

/** The interface that captures several containers, chosen in its options (or by -o). */
export const MULTI_INTERFACE = 'vethscope';

/** Each container's own interface: `vethscope-web-1`. */
export const CONTAINER_INTERFACE_PREFIX = 'vethscope-';

/** The options each interface takes (`--NAME VALUE`; Wireshark's preference is extcap.IFACE.NAME). */
export const EXTCAP_ARGS = {
  /** The per-container interface: which container (a selector; defaults to the interface's own). */
  container: 'container',
  /** The multi-container interface: a comma-separated list of containers (or host:IFACE, netns:NS:IFACE). */
  containers: 'containers',
  /** Only these interfaces of each container (comma-separated; default all but lo). */
  interfaces: 'interfaces',
  snaplen: 'snaplen',
  follow: 'follow',
} as const;

/**
 * A container's interface value: `vethscope-` and its name, with anything but letters,
 * digits, `.`, `_` and `-` made `_` (Wireshark names its FIFO after the interface, so no `/`).
 */
export function containerInterfaceName(name: string): string {
  return `${CONTAINER_INTERFACE_PREFIX}${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/** Wireshark's preference for an extcap argument: the interface lower-cased, every non-alphanumeric `_`. */
export function extcapPreference(iface: string, arg: string): string {
  return `extcap.${iface.toLowerCase().replace(/[^a-z0-9]/g, '_')}.${arg}`;
}

export interface LiveTargets {
  /** Container names or ids, or host:IFACE / netns:NS:IFACE words. */
  targets: string[];
  /** Only these interfaces of the container targets. */
  interfaces?: string[];
  filter?: string;
  snaplen?: number;
  /** Re-attach when a container restarts. */
  follow?: boolean;
}

/**
 * Wireshark's arguments for a live capture of these targets through the multi-container
 * interface: start at once (-k), options by -o (no dialog), the capture filter by -f.
 */
export function wiresharkLiveArgs(t: LiveTargets): string[] {
  const pref = (arg: string, value: string) => ['-o', `${extcapPreference(MULTI_INTERFACE, arg)}:${value}`];
  return [
    '-k',
    '-i',
    MULTI_INTERFACE,
    ...pref(EXTCAP_ARGS.containers, t.targets.join(',')),
    ...(t.interfaces?.length ? pref(EXTCAP_ARGS.interfaces, t.interfaces.join(',')) : []),
    ...(t.snaplen ? pref(EXTCAP_ARGS.snaplen, String(t.snaplen)) : []),
    // A boolflag preference: tshark 4.0 passes --follow for "true" (not for "TRUE" or "1").
    ...(t.follow ? pref(EXTCAP_ARGS.follow, 'true') : []),
    ...(t.filter ? ['-f', t.filter] : []),
  ];
}
