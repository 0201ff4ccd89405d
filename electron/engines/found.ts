// What every namer works with: the host's files and process table, who is looking, and
// the record a namer fills in before the pod pass and the trim to the protocol's fields.
import type { HostContainer } from '../../shared/helper-protocol';
import type { HostFiles } from './host-files';
import { netnsOf, type ProcessTable } from './processes';

export interface NamerContext {
  files: HostFiles;
  table: ProcessTable;
  /** Who reads: state files are read only where their owner is the reader (root reads root's engines). */
  viewerUid: number;
  /** Parsed files shared between containers of one engine (containers.json, a task folder). */
  cache: Map<string, unknown>;
  /** Name Docker's tasks from Docker's own state files (not needed when its API answers). */
  dockerStateFiles: boolean;
}

/** A container as a namer finds it, with the clues the pod pass needs (never sent anywhere). */
export interface Found extends HostContainer {
  /** Podman and CRI-O: the infra/sandbox container's id this one joins. */
  sandboxId?: string | null;
  /** Podman: the pod id from the cgroup path. */
  podId?: string | null;
  /** The OCI `hostname` (a Podman infra container's is its pod's name). */
  hostname?: string | null;
}

/** Only the protocol's fields: nothing a namer read on the way leaves the namers. */
export function trimmed(f: Found): HostContainer {
  return { engine: f.engine, id: f.id, name: f.name, image: f.image, pod: f.pod, infra: f.infra, pid: f.pid, netns: f.netns, uid: f.uid, compose: f.compose };
}

/** Engines' own helper processes that sit between a supervisor and the container's init. */
const RUNTIMES = new Set(['runc', 'crun', 'conmon', 'runc:[2:INIT]', 'runc:[1:CHILD]', 'runc:[0:PARENT]', 'containerd-shim', 'lxc-start', 'systemd-nspawn']);

/** The container's init: the supervisor's first child that is not a runtime on its way out. */
export function initChild(ctx: NamerContext, supervisor: number): number | null {
  for (const pid of ctx.table.children.get(supervisor) ?? []) {
    const p = ctx.table.byPid.get(pid);
    if (p && !RUNTIMES.has(p.comm)) return pid;
  }
  return null;
}

/** Whether this reader may open the supervisor's state files (its own, or root's as root). */
export const mayRead = (ctx: NamerContext, ownerUid: number): boolean => ctx.viewerUid === ownerUid;

export function cached<T>(ctx: NamerContext, key: string, load: () => T): T {
  if (ctx.cache.has(key)) return ctx.cache.get(key) as T;
  const v = load();
  ctx.cache.set(key, v);
  return v;
}

export const netnsOfPid = (ctx: NamerContext, pid: number): number | null => netnsOf(ctx.files, pid);

/** OCI config.json's annotations and hostname: the only parts a namer looks at. */
export interface OciBits {
  annotations: Record<string, string>;
  hostname: string | null;
}

export function ociBits(raw: Record<string, unknown> | null): OciBits | null {
  if (!raw) return null;
  const annotations: Record<string, string> = {};
  const a = raw.annotations;
  if (a && typeof a === 'object') for (const [k, v] of Object.entries(a as Record<string, unknown>)) if (typeof v === 'string') annotations[k] = v;
  return { annotations, hostname: typeof raw.hostname === 'string' && raw.hostname ? raw.hostname : null };
}
