// Podman and CRI-O: both run each container under a `conmon` monitor whose argv names it
// (`-c ID -n NAME -b BUNDLE`), readable by everyone. The bundle's OCI config.json (its
// owner reads it) tells the two apart and carries the pod: CRI-O's Kubernetes annotations,
// Podman's SandboxID; Podman's containers.json beside the bundles has the image.
import { dirname } from 'node:path';
import type { PodRef } from '../../shared/topology';
import { cached, initChild, mayRead, netnsOfPid, ociBits, type Found, type NamerContext, type OciBits } from './found';
import { readJson } from './host-files';
import { argvOf, cgroupsOf, flagValue, uidOf } from './processes';

/** `k8s_CONTAINER_POD_NAMESPACE_UID_ATTEMPT` (CRI-O and dockershim): Kubernetes names hold no `_`. */
export function parseKubeletName(name: string): { container: string; pod: string; namespace: string } | null {
  const m = /^k8s_([^_]+)_([^_]+)_([^_]+)_[^_]+_\d+$/.exec(name);
  return m ? { container: m[1]!, pod: m[2]!, namespace: m[3]! } : null;
}

/** A Podman pod id from a container's cgroup (cgroupfs `/libpod_parent/POD/libpod-ID`, systemd `machine-libpod_pod_POD.slice`). */
export function podmanPodFromCgroup(paths: string[]): string | null {
  for (const p of paths) {
    const m = /\/libpod_parent\/([0-9a-f]{64})\/libpod-|libpod_pod_([0-9a-f]{64})\.slice/.exec(p);
    if (m) return m[1] ?? m[2]!;
  }
  return null;
}

interface StorageEntry {
  names: string[];
  image: string | null;
}

/** containers.json of one storage folder: id -> names and image name (its metadata is a JSON string). */
function storageIndex(ctx: NamerContext, dir: string, owner: number): Map<string, StorageEntry> {
  return cached(ctx, `containers.json:${dir}`, () => {
    const out = new Map<string, StorageEntry>();
    const text = ctx.files.read(`${dir}/containers.json`, { owner, maxBytes: 32 << 20 });
    if (!text) return out;
    try {
      const list = JSON.parse(text) as unknown;
      if (!Array.isArray(list)) return out;
      for (const e of list as Array<Record<string, unknown>>) {
        if (typeof e?.id !== 'string') continue;
        let image: string | null = null;
        try {
          const meta = typeof e.metadata === 'string' ? (JSON.parse(e.metadata) as Record<string, unknown>) : null;
          image = typeof meta?.['image-name'] === 'string' ? (meta['image-name'] as string) : null;
        } catch {
          /* metadata not JSON: no image name */
        }
        const names = Array.isArray(e.names) ? (e.names as unknown[]).filter((n): n is string => typeof n === 'string') : [];
        out.set(e.id, { names, image: image ?? (typeof e.image === 'string' ? e.image : null) });
      }
    } catch {
      /* not JSON */
    }
    return out;
  });
}

function crioPod(a: Record<string, string>, kubelet: ReturnType<typeof parseKubeletName>): PodRef | null {
  let labels: Record<string, unknown> = {};
  try {
    labels = a['io.kubernetes.cri-o.Labels'] ? (JSON.parse(a['io.kubernetes.cri-o.Labels']) as Record<string, unknown>) : {};
  } catch {
    /* keep the others */
  }
  const pick = (k: string) => a[k] ?? (typeof labels[k] === 'string' ? (labels[k] as string) : undefined);
  const name = pick('io.kubernetes.pod.name') ?? a['io.kubernetes.cri-o.KubeName'] ?? kubelet?.pod;
  const namespace = pick('io.kubernetes.pod.namespace') ?? a['io.kubernetes.cri-o.Namespace'] ?? kubelet?.namespace ?? null;
  return name ? { name, namespace } : null;
}

function crioContainerName(a: Record<string, string>, kubelet: ReturnType<typeof parseKubeletName>, fallback: string): string {
  if (a['io.kubernetes.container.name']) return a['io.kubernetes.container.name'];
  try {
    const meta = a['io.kubernetes.cri-o.Metadata'] ? (JSON.parse(a['io.kubernetes.cri-o.Metadata']) as Record<string, unknown>) : null;
    if (typeof meta?.name === 'string' && meta.name) return meta.name;
  } catch {
    /* fall through */
  }
  return kubelet?.container ?? fallback;
}

/** The container one conmon watches, or null when it has none (exited, still being created). */
export function conmonContainer(ctx: NamerContext, conmonPid: number): Found | null {
  const argv = argvOf(ctx.files, conmonPid);
  const id = flagValue(argv, '-c', '--cid');
  const name = flagValue(argv, '-n', '--name');
  const bundle = flagValue(argv, '-b', '--bundle');
  if (!id || !/^[0-9a-f]{12,64}$/.test(id)) return null;
  // An exec session's conmon (`podman exec`) watches a process of a container named elsewhere.
  if (argv.includes('--exec') || argv.includes('-e') || argv.includes('--exec-attach')) return null;
  const pid = initChild(ctx, conmonPid);
  const uid = uidOf(ctx.files, conmonPid);
  if (pid === null || uid === null) return null;
  const readable = mayRead(ctx, uid) && bundle !== null && bundle.startsWith('/');
  const oci: OciBits | null = readable ? ociBits(readJson(ctx.files, `${bundle}/config.json`, { owner: uid, maxBytes: 4 << 20 })) : null;
  const a = oci?.annotations ?? {};
  const kubelet = name ? parseKubeletName(name) : null;
  const manager = a['io.container.manager'];
  const exitCommand = flagValue(argv, '--exit-command') ?? '';
  const crio = manager === 'cri-o' || (manager !== 'libpod' && !exitCommand.endsWith('/podman') && (kubelet !== null || argv.includes('--persist-dir')));
  const base = { id, pid, uid, netns: netnsOfPid(ctx, pid), compose: null, hostname: oci?.hostname ?? null };
  if (crio) {
    const infra = a['io.kubernetes.cri-o.ContainerType'] === 'sandbox' || kubelet?.container === 'POD';
    const pod = crioPod(a, kubelet);
    return {
      ...base,
      engine: 'cri-o',
      name: infra ? (pod?.name ?? name ?? id) : crioContainerName(a, kubelet, name ?? id),
      image: a['io.kubernetes.cri-o.ImageName'] ?? null,
      pod,
      infra,
      sandboxId: a['io.kubernetes.cri-o.SandboxID'] ?? null,
    };
  }
  const storageDir = bundle ? dirname(dirname(bundle)) : null;
  const entry = readable && storageDir ? storageIndex(ctx, storageDir, uid).get(id) : undefined;
  return {
    ...base,
    engine: 'podman',
    name: name ?? entry?.names[0] ?? id.slice(0, 12),
    image: entry?.image ?? null,
    pod: null, // settled by podmanPods() once every container is known
    infra: false,
    sandboxId: a['io.kubernetes.cri-o.SandboxID'] ?? null,
    podId: podmanPodFromCgroup(cgroupsOf(ctx.files, pid)),
  };
}

/**
 * Podman's pods: a member names its infra container (SandboxID) or shares its pod's cgroup.
 * The pod's name is the infra container's hostname (Podman sets it to the pod's name);
 * without the infra's config, the pod id's first 12 characters.
 */
export function podmanPods(found: Found[]): void {
  const podman = found.filter((f) => f.engine === 'podman');
  const byId = new Map(podman.map((f) => [f.id, f]));
  // Infra containers: named by a member's SandboxID, else the cgroup's pod whose name is `POD12-infra`.
  const infraOfPod = new Map<string, Found>();
  for (const f of podman) {
    const infra = f.sandboxId ? byId.get(f.sandboxId) : undefined;
    if (infra) {
      infra.infra = true;
      if (infra.podId ?? f.podId) infraOfPod.set((infra.podId ?? f.podId)!, infra);
    }
  }
  for (const f of podman) if (f.podId && f.name === `${f.podId.slice(0, 12)}-infra`) (f.infra = true), infraOfPod.set(f.podId, f);
  for (const f of podman) {
    const infra = (f.sandboxId ? byId.get(f.sandboxId) : undefined) ?? (f.podId ? infraOfPod.get(f.podId) : undefined) ?? (f.infra ? f : undefined);
    const podId = f.podId ?? infra?.podId ?? null;
    if (!infra && !podId) continue;
    const name = infra?.hostname ?? (podId ? podId.slice(0, 12) : infra!.id.slice(0, 12));
    f.pod = { name, namespace: null };
  }
}

/** CRI-O sandboxes: a container whose pod the annotations missed takes its sandbox's. */
export function crioPods(found: Found[]): void {
  const byId = new Map(found.filter((f) => f.engine === 'cri-o').map((f) => [f.id, f]));
  for (const f of byId.values()) if (!f.pod && f.sandboxId) f.pod = byId.get(f.sandboxId)?.pod ?? null;
}
