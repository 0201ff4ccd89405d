// containerd (ctr, Kubernetes through CRI, and Docker's own `moby` namespace): each task
// runs under `containerd-shim-runc-v2 -namespace NS -id ID -address SOCK`, whose working
// folder is its task's bundle, `STATE/io.containerd.runtime.v2.task/NS/ID`. A CRI shim
// holds a whole pod, so every child is matched to its task by the task's init.pid; the
// task's config.json carries CRI's annotations (sandbox name and namespace, container name).
// Docker's tasks are named from Docker's own state folder when its API is not at hand.
import { dirname } from 'node:path';
import type { ContainerEngine } from '../../shared/topology';
import { cached, mayRead, netnsOfPid, ociBits, type Found, type NamerContext, type OciBits } from './found';
import { readJson, str } from './host-files';
import { argvOf, cgroupsOf, flagValue, uidOf } from './processes';

interface Task {
  id: string;
  oci: OciBits | null;
  /** Docker's state folder for this container (`DATA/containers/ID`), from the hostname mount. */
  dockerDir: string | null;
}

/** Every task of one namespace folder, by init pid. */
function tasksByPid(ctx: NamerContext, nsDir: string, owner: number, configs: boolean): Map<number, Task> {
  return cached(ctx, `tasks:${nsDir}`, () => {
    const out = new Map<number, Task>();
    for (const id of ctx.files.list(nsDir)) {
      const pid = Number(ctx.files.read(`${nsDir}/${id}/init.pid`, { owner, maxBytes: 32 })?.trim());
      if (!Number.isInteger(pid) || pid <= 0) continue;
      const raw = configs ? readJson(ctx.files, `${nsDir}/${id}/config.json`, { owner, maxBytes: 4 << 20 }) : null;
      out.set(pid, { id, oci: ociBits(raw), dockerDir: dockerDirOf(raw, id) });
    }
    return out;
  });
}

/** Docker bind-mounts DATA/containers/ID/hostname on /etc/hostname: that folder has config.v2.json. */
function dockerDirOf(raw: Record<string, unknown> | null, id: string): string | null {
  const mounts = Array.isArray(raw?.mounts) ? (raw!.mounts as unknown[]) : [];
  for (const m of mounts) {
    const source = str(m, 'source');
    if (str(m, 'destination') === '/etc/hostname' && source?.endsWith(`/containers/${id}/hostname`)) return dirname(source);
  }
  return null;
}

/** Name, image and compose labels from Docker's config.v2.json (nothing else of it is kept). */
function dockerState(ctx: NamerContext, dir: string): { name: string; image: string | null; compose: Found['compose'] } | null {
  const raw = readJson(ctx.files, `${dir}/config.v2.json`, { owner: 0, maxBytes: 8 << 20 });
  const name = str(raw, 'Name')?.replace(/^\//, '');
  if (!raw || !name) return null;
  const config = raw.Config as Record<string, unknown> | undefined;
  const labels = (config?.Labels ?? {}) as Record<string, unknown>;
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  return { name, image: str(config, 'Image'), compose: typeof project === 'string' && typeof service === 'string' ? { project, service } : null };
}

function engineOf(namespace: string): ContainerEngine {
  return namespace === 'moby' ? 'docker' : 'containerd';
}

/** The containers one shim runs (a CRI pod's shim runs all of the pod's). */
export function shimContainers(ctx: NamerContext, shimPid: number): Found[] {
  const argv = argvOf(ctx.files, shimPid);
  const namespace = flagValue(argv, '-namespace', '--namespace');
  const shimId = flagValue(argv, '-id', '--id');
  if (!namespace || !shimId) return [];
  const uid = uidOf(ctx.files, shimPid) ?? -1;
  const engine = engineOf(namespace);
  // Docker's API names its tasks: without its state files there is nothing in the task folder to read.
  if (engine === 'docker' && !ctx.dockerStateFiles) return firstChild(ctx, shimPid, shimId, uid);
  const readable = mayRead(ctx, uid);
  const cwd = readable ? ctx.files.readlink(`/proc/${shimPid}/cwd`) : null;
  const nsDir = cwd && cwd.endsWith(`/${namespace}/${shimId}`) ? dirname(cwd) : null;
  // Docker's own tasks carry no CRI annotations: their configs matter only for Docker's state files.
  const tasks = nsDir ? tasksByPid(ctx, nsDir, uid, namespace !== 'moby' || ctx.dockerStateFiles) : new Map<number, Task>();
  const out: Found[] = [];
  for (const pid of ctx.table.children.get(shimPid) ?? []) {
    if (ctx.table.byPid.get(pid)?.comm === 'runc') continue;
    const task = tasks.get(pid);
    // Without the state folder: the cgroup path `/NS/ID` (cgroupfs) still says which task it is.
    const id = task?.id ?? idFromCgroup(cgroupsOf(ctx.files, pid), namespace) ?? (out.length === 0 ? shimId : null);
    if (!id) continue;
    const a = task?.oci?.annotations ?? {};
    const type = a['io.kubernetes.cri.container-type'];
    const podName = a['io.kubernetes.cri.sandbox-name'];
    const pod = podName ? { name: podName, namespace: a['io.kubernetes.cri.sandbox-namespace'] ?? null } : null;
    const docker = engine === 'docker' && task?.dockerDir ? dockerState(ctx, task.dockerDir) : null;
    const infra = type === 'sandbox';
    const name = docker?.name ?? (infra && pod ? pod.name : a['io.kubernetes.cri.container-name']) ?? (engine === 'docker' ? id.slice(0, 12) : `${namespace}/${id}`);
    out.push({
      engine,
      id,
      name,
      image: docker?.image ?? a['io.kubernetes.cri.image-name'] ?? null,
      pod,
      infra,
      pid,
      netns: netnsOfPid(ctx, pid),
      uid,
      compose: docker?.compose ?? null,
    });
  }
  return out;
}

/** One Docker task per shim: its first child (later ones are `docker exec`s). */
function firstChild(ctx: NamerContext, shimPid: number, id: string, uid: number): Found[] {
  const pid = (ctx.table.children.get(shimPid) ?? []).find((p) => ctx.table.byPid.get(p)?.comm !== 'runc');
  if (pid === undefined) return [];
  return [{ engine: 'docker', id, name: id.slice(0, 12), image: null, pod: null, infra: false, pid, netns: netnsOfPid(ctx, pid), uid, compose: null }];
}

/** `/NS/ID` (cgroupfs) or `.../cri-containerd-ID.scope` (systemd) for a task of namespace NS. */
export function idFromCgroup(paths: string[], namespace: string): string | null {
  for (const p of paths) {
    const m = new RegExp(`^/${namespace.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([A-Za-z0-9_.-]+)$`).exec(p) ?? /cri-containerd-([0-9a-f]{64})\.scope$/.exec(p);
    if (m) return m[1]!;
  }
  return null;
}
