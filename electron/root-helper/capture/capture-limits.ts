// What the helper refuses to capture, and how it shares the kernel buffer budget.
// Policy, written down in docs/security.md: anyone allowed to run the helper may
// capture any real network interface of the host and of every network namespace
// (the same power as Wireshark's `wireshark` group). Refused: libpcap pseudo-devices,
// which read D-Bus messages, netfilter queues or USB rather than a network interface,
// and any name that is not an interface of the namespace it is asked for.
import { readFileSync, statSync } from 'node:fs';
import { HELPER_LIMITS, type TcpdumpSpec } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import { findTool } from '../../util/exec';
import { parseProcNetDev } from '../../kernel/proc-net-dev';
import { run } from '../run-in-netns';

/**
 * Names libpcap opens as something other than the netdev of that name (it tries these
 * before the kernel's interface list, so even a real interface named `usbmon0` would
 * be read as USB). A Linux interface name never contains ':' (netmap:, dpdk: ...).
 */
const PSEUDO_DEVICES = /^(any|nflog(:.*)?|nfqueue(:.*)?|dbus-.*|usbmon\d*|bluetooth(-monitor)?\d*|rdma.*|mlx\d+_\d+)$|:/;

export function refusePseudoDevice(iface: string): void {
  if (PSEUDO_DEVICES.test(iface)) throw new CodedError('INVALID_INPUT', `${iface} is a libpcap pseudo-device, not a network interface: vethscope captures network interfaces only`);
}

/** The interface exists in that namespace (as `ip link` sees it), or NOT_FOUND. */
export async function requireInterface(spec: TcpdumpSpec): Promise<void> {
  refusePseudoDevice(spec.iface);
  // The host's own, up or down, are in /proc/self/net/dev: read in-process, not by starting `ip`
  // (7 ms of the helper's CPU per capture).
  if (spec.netns === null) {
    if (parseProcNetDev(readFileSync('/proc/self/net/dev', 'latin1')).has(spec.iface)) return;
    throw new CodedError('NOT_FOUND', `the host has no interface ${JSON.stringify(spec.iface)}`);
  }
  const ip = findTool('ip');
  if (!ip) throw new CodedError('UNSUPPORTED', 'iproute2 (ip) is not installed');
  const r = await run([ip, '-o', 'link', 'show', 'dev', spec.iface], { netns: spec.netns, timeoutMs: 5000 });
  if (r.code !== 0) throw new CodedError('NOT_FOUND', `namespace ${spec.netns.inode} has no interface ${JSON.stringify(spec.iface)}`);
}

let ownNetnsInode: number | null = null;
/** The helper's own (the host's) network namespace: null in a spec, or named by its inode. */
function hostNetnsInode(): number {
  ownNetnsInode ??= statSync('/proc/self/ns/net').ino;
  return ownNetnsInode;
}

/**
 * Namespace inode plus interface name: one live tcpdump each. The host is keyed by its real
 * inode, so `null` and a handle to the host's namespace (/proc/1234/ns/net of a host
 * process) are one namespace. A handle's inode is checked against the open file at start.
 */
export const captureKey = (spec: TcpdumpSpec): string => `${spec.netns?.inode ?? hostNetnsInode()}/${spec.iface}`;

/** tcpdump -B for each of `adding` new tcpdumps when `live` already run: a share of the budget. */
export function bufferShareKiB(live: number, adding: number): number {
  const share = Math.floor(HELPER_LIMITS.ringBudgetKiB / Math.max(1, live + adding));
  return Math.max(HELPER_LIMITS.ringMinKiB, Math.min(HELPER_LIMITS.ringMaxKiB, share));
}

/** Refuse what would go past the helper's limits, before anything starts. */
export function checkRoom(o: { liveTcpdumps: number; liveCaptures: number; addingTcpdumps: number; newCapture: boolean }): void {
  if (o.newCapture && o.liveCaptures + 1 > HELPER_LIMITS.captures)
    throw new CodedError('INVALID_INPUT', `at most ${HELPER_LIMITS.captures} captures run at once: stop one first`);
  if (o.liveTcpdumps + o.addingTcpdumps > HELPER_LIMITS.liveTcpdumps)
    throw new CodedError('INVALID_INPUT', `at most ${HELPER_LIMITS.liveTcpdumps} interfaces are captured at once (${o.liveTcpdumps} already): stop a capture first`);
}
