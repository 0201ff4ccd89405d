// Docker containers through the Engine API, honouring DOCKER_HOST (unix socket or
// tcp). Failure is data: the topology still comes back without them. Only types come
// from dockerode here, so the privileged helper can use this without bundling it.
import type Docker from 'dockerode';
import type { EngineContainer } from '../../shared/helper-protocol';

/** The fields of a container the topology shows (the helper protocol's shape). */
export type DockerContainer = EngineContainer;

export interface DockerStatus {
  available: boolean;
  endpoint: string;
  error?: { code: string; message: string };
}

export interface DockerListing {
  status: DockerStatus;
  containers: DockerContainer[];
  /** Why the socket failed (EACCES: not in the docker group), for the helper fallback. */
  errno?: string;
  /** Things the user should know about how the list was obtained. */
  warnings?: string[];
}

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}


/** Turn a connection error into something a person can act on. */
export function describeDockerError(err: unknown, endpoint: string): { code: string; message: string } {
  const e = err as NodeJS.ErrnoException & { statusCode?: number };
  switch (e?.code) {
    case 'ENOENT':
      return { code: 'DOCKER_UNAVAILABLE', message: `no Docker socket at ${endpoint} (is dockerd running? is DOCKER_HOST right?)` };
    case 'EACCES':
      return { code: 'DOCKER_UNAVAILABLE', message: `permission denied on ${endpoint} (join the docker group, or run with sudo)` };
    case 'ECONNREFUSED':
      return { code: 'DOCKER_UNAVAILABLE', message: `Docker is not listening at ${endpoint} (daemon stopped?)` };
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return { code: 'DOCKER_UNAVAILABLE', message: `Docker at ${endpoint} did not answer in time` };
    default:
      return { code: 'DOCKER_UNAVAILABLE', message: `Docker at ${endpoint}: ${e?.message ?? String(err)}` };
  }
}

type Inspect = Docker.ContainerInspectInfo;

function toContainer(info: Inspect): DockerContainer {
  const labels = info.Config?.Labels ?? {};
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  const nets = info.NetworkSettings?.Networks ?? {};
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config?.Image ?? info.Image,
    state: info.State?.Status ?? 'unknown',
    pid: info.State?.Running && info.State.Pid > 0 ? info.State.Pid : null,
    networkMode: info.HostConfig?.NetworkMode ?? 'default',
    networks: Object.entries(nets).map(([name, n]) => ({
      name,
      networkId: n.NetworkID || null,
      driver: null,
      ipv4: n.IPAddress ? `${n.IPAddress}/${n.IPPrefixLen}` : null,
      ipv6: n.GlobalIPv6Address ? `${n.GlobalIPv6Address}/${n.GlobalIPv6PrefixLen}` : null,
      mac: n.MacAddress || null,
      gateway: n.Gateway || null,
    })),
    compose: project && service ? { project, service } : null,
    sandboxKey: info.NetworkSettings?.SandboxKey || null,
  };
}

/**
 * The three Engine API calls discovery needs. dockerode provides them in the app
 * (dockerode-api.ts); the privileged helper has its own small socket client.
 */
export interface DockerApi {
  listContainers(): Promise<Array<{ Id: string }>>;
  listNetworks(): Promise<Array<{ Name: string; Driver: string }>>;
  inspect(id: string): Promise<Inspect>;
}


export async function listDockerContainers(api: DockerApi, endpoint = dockerEndpoint()): Promise<DockerListing> {
  try {
    const [summaries, networks] = await Promise.all([
      api.listContainers(),
      api.listNetworks().catch(() => [] as Array<{ Name: string; Driver: string }>),
    ]);
    const drivers = new Map(networks.map((n) => [n.Name, n.Driver]));
    const inspected = await Promise.all(
      summaries.map((s) => api.inspect(s.Id).catch(() => null)), // removed between list and inspect
    );
    const containers = inspected.filter((i): i is Inspect => i !== null).map(toContainer);
    for (const c of containers) for (const n of c.networks) n.driver = drivers.get(n.name) ?? null;
    return { status: { available: true, endpoint }, containers };
  } catch (err) {
    return { status: { available: false, endpoint, error: describeDockerError(err, endpoint) }, containers: [], errno: (err as NodeJS.ErrnoException)?.code };
  }
}
