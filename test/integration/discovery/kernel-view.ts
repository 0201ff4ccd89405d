// Shared by the discovery suites: one topology through the real Backend, and the
// kernel's own answer to "which interface is the peer of X" (never our output).
import { createServices } from '../../../electron/backend/create-backend';
import type { Topology } from '../../../shared/topology';
import { docker, dockerTry, kernelLinks, testEnv } from '../../support/env';

export async function discover(env: NodeJS.ProcessEnv = testEnv()): Promise<Topology> {
  const { backend } = createServices({ env });
  try {
    const res = await backend.call('getTopology', {});
    if (!res.ok) throw new Error(`getTopology failed: ${res.error.code} ${res.error.message}`);
    return res.result;
  } finally {
    await backend.close();
  }
}

export const pidOf = (container: string): number => Number(docker('inspect', '-f', '{{.State.Pid}}', container));
export const nsPathOf = (container: string): string => `/proc/${pidOf(container)}/ns/net`;

type KLink = ReturnType<typeof kernelLinks>[number];

/** The IFLA_LINK of a link; the kernel omits it when it equals the link's own index. */
const linkIndexOf = (l: KLink): number | undefined => l.link_index ?? (l.link_netnsid !== undefined ? l.ifindex : undefined);

/**
 * The peer of `iface` (inside nsPath) among the links of `peerNsPath` (null = host),
 * checked in both directions: each one's IFLA_LINK is the other's ifindex.
 */
export function kernelPeer(nsPath: string | null, iface: string, peerNsPath: string | null): KLink | null {
  const inside = kernelLinks(nsPath).find((l) => l.ifname === iface);
  if (!inside) throw new Error(`kernel: no ${iface} in ${nsPath ?? 'host'}`);
  const matches = kernelLinks(peerNsPath).filter((l) => l.ifindex === linkIndexOf(inside) && linkIndexOf(l) === inside.ifindex && l.ifname !== inside.ifname);
  return matches.length === 1 ? matches[0]! : null;
}

/** A labelled user-defined network with an explicit subnet (the private daemon shares one address plan). */
export function createNetwork(suite: string, name: string, args: string[]): void {
  dockerTry('network', 'rm', name);
  docker('network', 'create', '--label', `vethscope.test=${suite}`, ...args, name);
}

export function removeSuiteNetworks(suite: string): void {
  const ids = docker('network', 'ls', '-q', '--filter', `label=vethscope.test=${suite}`).split('\n').filter(Boolean);
  for (const id of ids) dockerTry('network', 'rm', id);
}
