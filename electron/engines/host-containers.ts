// Every engine's running containers, named from what the engines leave on the host and
// not from any engine's API: each container's monitor process (conmon, containerd's shim,
// LXC's monitor, systemd-nspawn) and the state files beside it, machined's records, and
// for a namespace no monitor claims, its first process's cgroup. Root (the helper, or a
// backend running as root) reads root's engines' files; a user reads their own rootless
// ones; everyone may read the monitors' command lines.
import type { HostContainer, HostContainerListing } from '../../shared/helper-protocol';
import type { ContainerEngine } from '../../shared/topology';
import { conmonContainer, crioPods, podmanPods } from './conmon';
import { shimContainers } from './containerd';
import { trimmed, type Found, type NamerContext } from './found';
import { realHostFiles, type HostFiles } from './host-files';
import { lxcContainer, machinedContainers, nspawnContainer } from './lxc-nspawn';
import { parseNsLink } from '../kernel/namespaces';
import { cgroupsOf, containerMarkerOf, netnsOf, readProcessTable, uidOf } from './processes';
import { byText } from '../../shared/text';

/** What a cgroup path alone says: the engine and its name or id for the container. */
export function nameFromCgroup(paths: string[], marker: string | null): { engine: ContainerEngine; id: string; name: string } | null {
  for (const p of paths) {
    let m = /\/lxc\.payload\.([^/]+)$|^\/lxc\/([^/]+)$/.exec(p);
    if (m) return { engine: 'lxc', id: m[1] ?? m[2]!, name: m[1] ?? m[2]! };
    m = /systemd-nspawn@([^/]+)\.service/.exec(p) ?? /\/machine-(?!libpod)([^/]+)\.scope$/.exec(p);
    if (m) {
      const name = m[1]!.replace(/\\x2d/g, '-');
      return { engine: marker === 'lxc' ? 'lxc' : marker === 'podman' ? 'podman' : 'nspawn', id: name, name };
    }
    m = /\/libpod-([0-9a-f]{64})(?:\.scope)?$/.exec(p);
    if (m) return { engine: 'podman', id: m[1]!, name: m[1]!.slice(0, 12) };
    m = /\/crio-([0-9a-f]{64})(?:\.scope)?$/.exec(p);
    if (m) return { engine: 'cri-o', id: m[1]!, name: m[1]!.slice(0, 12) };
    m = /^\/docker\/([0-9a-f]{64})$|\/docker-([0-9a-f]{64})\.scope$/.exec(p);
    if (m) return { engine: 'docker', id: m[1] ?? m[2]!, name: (m[1] ?? m[2]!).slice(0, 12) };
  }
  return null;
}

function monitored(ctx: NamerContext): Found[] {
  const found: Found[] = [];
  for (const p of ctx.table.byPid.values()) {
    switch (p.comm) {
      case 'conmon': {
        const f = conmonContainer(ctx, p.pid);
        if (f) found.push(f);
        break;
      }
      case 'containerd-shim': // containerd-shim-runc-v2, cut to 15 characters
        found.push(...shimContainers(ctx, p.pid));
        break;
      case 'lxc-start':
      case 'lxd': {
        const f = lxcContainer(ctx, p.pid);
        if (f) found.push(f);
        break;
      }
      case 'systemd-nspawn': {
        const f = nspawnContainer(ctx, p.pid);
        if (f) found.push(f);
        break;
      }
    }
  }
  return found;
}

const MONITORS = new Set(['conmon', 'containerd-shim', 'lxc-start', 'lxd', 'systemd-nspawn']);

/** A process under a container monitor belongs to a container already named. */
function underMonitor(ctx: NamerContext, pid: number): boolean {
  for (let p = ctx.table.byPid.get(pid), depth = 0; p && p.pid > 1 && depth < 64; p = ctx.table.byPid.get(p.ppid), depth++) if (MONITORS.has(p.comm)) return true;
  return false;
}

/** For each network namespace no monitor claimed, its lowest process's cgroup. */
function byCgroup(ctx: NamerContext, claimed: Set<number>, hostNetns: number | null): Found[] {
  const seen = new Set<number>(claimed);
  if (hostNetns !== null) seen.add(hostNetns);
  const out: Found[] = [];
  // Kernel threads (kthreadd, pid 2, and its children) live in the host's namespace, containers' processes in named ones: skip them unread.
  const pids = [...ctx.table.byPid.values()].filter((p) => p.pid !== 2 && p.ppid !== 2 && !underMonitor(ctx, p.pid)).map((p) => p.pid).sort((a, b) => a - b);
  for (const pid of pids) {
    const netns = netnsOf(ctx.files, pid);
    if (netns === null || seen.has(netns)) continue;
    seen.add(netns);
    const named = nameFromCgroup(cgroupsOf(ctx.files, pid), containerMarkerOf(ctx.files, pid));
    if (!named) continue;
    out.push({ ...named, image: null, pod: null, infra: false, pid, netns, uid: uidOf(ctx.files, pid) ?? 0, compose: null });
  }
  return out;
}

export interface HostContainerOptions {
  files?: HostFiles;
  /** Who is reading (default: this process's uid). */
  viewerUid?: number;
  /** Read Docker's state files for its containers' names (default true; skip it when Docker's API answers). */
  dockerStateFiles?: boolean;
}

export function readHostContainers(opts: HostContainerOptions = {}): HostContainerListing {
  const files = opts.files ?? realHostFiles;
  const ctx: NamerContext = { files, table: readProcessTable(files), viewerUid: opts.viewerUid ?? process.getuid?.() ?? -1, cache: new Map(), dockerStateFiles: opts.dockerStateFiles ?? true };
  const found = monitored(ctx);
  const seenPids = new Set(found.map((f) => f.pid));
  for (const m of machinedContainers(ctx)) if (!seenPids.has(m.pid)) found.push(m);
  podmanPods(found);
  crioPods(found);
  const claimed = new Set(found.map((f) => f.netns).filter((n): n is number => n !== null));
  // We run in the host's namespace (the helper, the backend): /proc/1/ns/net is unreadable on some hosts even as root.
  const self = files.readlink('/proc/self/ns/net');
  found.push(...byCgroup(ctx, claimed, self ? parseNsLink(self) : null));
  const unique = new Map<string, HostContainer>();
  for (const f of found) {
    const key = `${f.engine}/${f.id}`;
    if (!unique.has(key)) unique.set(key, trimmed(f));
  }
  return { containers: [...unique.values()].sort((a, b) => byText(a.name, b.name)), warnings: [] };
}
