// Capture targets on several hosts: each host's targets are resolved on that host's own
// topology by the same resolveTargets as the local ones, then made remote: the label
// names the host (`host/container/eth0 (vethX)`), the comment carries the host and its
// clock offset measured now, and the host namespace is entered through pid 1 there.
import type { CaptureTarget } from '../../../shared/capture';
import { LOCAL_HOST } from '../../../shared/topology';
import { CodedError } from '../../../shared/result';
import { printable as p } from '../../../shared/text';
import { resolveTargets, type ResolvedIface } from '../capture/targets';
import type { RemoteHost } from './remote-host';

/** How old a host's map may be to resolve a capture on it. */
const FRESH_MS = 2000;

type Indexed = { target: CaptureTarget; index: number };

export const isRemoteTarget = (t: CaptureTarget): boolean => t.host !== undefined && t.host !== LOCAL_HOST;

/** Group by host, resolve each group where it lives, put every interface back in the order asked. */
export async function resolveAcrossHosts(
  targets: CaptureTarget[],
  filter: string,
  resolveLocal: (targets: CaptureTarget[]) => Promise<ResolvedIface[]>,
  hostOf: (id: string) => RemoteHost | undefined,
): Promise<ResolvedIface[]> {
  const groups = new Map<string, Indexed[]>();
  targets.forEach((target, index) => {
    const key = isRemoteTarget(target) ? target.host! : LOCAL_HOST;
    groups.set(key, [...(groups.get(key) ?? []), { target, index }]);
  });
  const parts = await Promise.all(
    [...groups].map(async ([key, items]) => {
      const subset = items.map((i) => i.target);
      const resolved = key === LOCAL_HOST ? await resolveLocal(subset) : await resolveOnHost(key, subset, filter, hostOf);
      return resolved.map((r) => ({ ...r, target: items[r.target]!.index }));
    }),
  );
  return parts.flat().sort((a, b) => a.target - b.target);
}

async function resolveOnHost(id: string, targets: CaptureTarget[], filter: string, hostOf: (id: string) => RemoteHost | undefined): Promise<ResolvedIface[]> {
  const host = hostOf(id);
  if (!host) throw new CodedError('NOT_FOUND', `no remote host ${p(id)}: add it first (vethscope --host ssh://${p(id)} ..., or the app's host list)`);
  // The map as it is now (a lookup a moment ago counts): the capture script checks again there that each pid still leads to its namespace.
  await host.fresh(FRESH_MS);
  const topo = host.topology;
  if (!topo || host.status.state !== 'reachable') throw new CodedError(host.status.lastError?.code === 'PERMISSION_DENIED' ? 'PERMISSION_DENIED' : 'HELPER_UNAVAILABLE', host.status.lastError?.message ?? `${id} is not reachable`);
  if (!topo.privileged.available) throw new CodedError('PERMISSION_DENIED', `${id}: capturing there needs root (log in as root, or passwordless sudo for this user)`);
  const resolved = resolveTargets(topo, targets.map(({ host: _h, ...t }) => t as CaptureTarget), filter);
  const clock = await host.clockOffset();
  const name = p(host.address.name);
  const sign = clock.offsetMs >= 0 ? '+' : '';
  const note = `host ${name} (${p(host.address.url)}${host.status.remoteHostname ? `, hostname ${host.status.remoteHostname}` : ''}); clock offset ${sign}${clock.offsetMs.toFixed(3)} ms (its clock minus ours, measured at capture start over a ${clock.roundTripMs.toFixed(1)} ms round trip; timestamps are as ${name} recorded them)`;
  return resolved.map((r) => ({
    ...r,
    host: host.address.id,
    label: `${name}/${r.label}`,
    comment: `${r.comment}; ${note}`,
    // The host's own namespace there is entered through its pid 1 (checked against the inode there).
    netns: r.netns ?? { inode: topo.hostNetns, path: '/proc/1/ns/net' },
  }));
}
