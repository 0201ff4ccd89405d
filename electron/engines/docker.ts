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

type Endpoints = NonNullable<Inspect['NetworkSettings']>['Networks'];

/** A container's networks and compose labels: inspect and list answer them in the same shape. */
function networksAndCompose(nets: Endpoints | undefined, labels: Record<string, string> | undefined): Pick<DockerContainer, 'networks' | 'compose'> {
  const project = labels?.['com.docker.compose.project'];
  const service = labels?.['com.docker.compose.service'];
  return {
    networks: Object.entries(nets ?? {}).map(([name, n]) => ({
      name,
      networkId: n.NetworkID || null,
      driver: null,
      ipv4: n.IPAddress ? `${n.IPAddress}/${n.IPPrefixLen}` : null,
      ipv6: n.GlobalIPv6Address ? `${n.GlobalIPv6Address}/${n.GlobalIPv6PrefixLen}` : null,
      mac: n.MacAddress || null,
      gateway: n.Gateway || null,
    })),
    compose: project && service ? { project, service } : null,
  };
}

function toContainer(info: Inspect): DockerContainer {
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config?.Image ?? info.Image,
    state: info.State?.Status ?? 'unknown',
    pid: info.State?.Running && info.State.Pid > 0 ? info.State.Pid : null,
    networkMode: info.HostConfig?.NetworkMode ?? 'default',
    ...networksAndCompose(info.NetworkSettings?.Networks, info.Config?.Labels),
    sandboxKey: info.NetworkSettings?.SandboxKey || null,
  };
}

type Summary = Docker.ContainerInfo;
/** What a list call must give (a remote host's fixed script lists ids only). */
type Listed = { Id: string } & Partial<Summary>;

/** `GET /containers/json` holds everything the topology shows but the pid: with the pid known, no inspect. */
function fromSummary(s: Summary, pid: number | null): DockerContainer {
  return {
    id: s.Id,
    // Legacy links add `/other/alias` names: the container's own has one slash.
    name: (s.Names?.find((n) => n.lastIndexOf('/') === 0) ?? s.Names?.[0] ?? s.Id.slice(0, 12)).replace(/^\//, ''),
    image: s.Image,
    state: s.State,
    pid,
    networkMode: s.HostConfig?.NetworkMode ?? 'default',
    ...networksAndCompose(s.NetworkSettings?.Networks as Endpoints, s.Labels),
    sandboxKey: null,
  };
}

/**
 * The three Engine API calls discovery needs. dockerode provides them in the app
 * (dockerode-api.ts); the privileged helper has its own small socket client.
 */
export interface DockerApi {
  listContainers(): Promise<Listed[]>;
  listNetworks(): Promise<Array<{ Name: string; Driver: string }>>;
  inspect(id: string): Promise<Inspect>;
}


/** States in which a container has no process (paused and restarting ones may: inspected). */
const NO_PROCESS = new Set(['created', 'exited', 'dead']);

/** Docker's first answer: the list (one request), enough to know it answers and which containers it has. */
export interface DockerSummaries {
  status: DockerStatus;
  summaries: Listed[];
  drivers: Map<string, string>;
  errno?: string;
}

export async function listDockerSummaries(api: DockerApi, endpoint = dockerEndpoint()): Promise<DockerSummaries> {
  try {
    const [summaries, networks] = await Promise.all([
      api.listContainers(),
      api.listNetworks().catch(() => [] as Array<{ Name: string; Driver: string }>),
    ]);
    return { status: { available: true, endpoint }, summaries, drivers: new Map(networks.map((n) => [n.Name, n.Driver])) };
  } catch (err) {
    return { status: { available: false, endpoint, error: describeDockerError(err, endpoint) }, summaries: [], drivers: new Map(), errno: (err as NodeJS.ErrnoException)?.code };
  }
}

/**
 * The full listing. A running container whose main process the host's files already name
 * (its containerd shim's `-id` is the container's id) is taken from the list as it is; only
 * the others are inspected for their pid and sandbox (at 100 containers: 1 request, not 101).
 */
export async function completeDockerListing(api: DockerApi, first: DockerSummaries, knownPids: ReadonlyMap<string, number> = new Map()): Promise<DockerListing> {
  const { status, summaries, drivers } = first;
  if (!status.available) return { status, containers: [], errno: first.errno };
  const containers = (
    await Promise.all(
      summaries.map(async (s) => {
        const complete = Boolean(s.State && s.Names?.length && s.NetworkSettings);
        if (complete && NO_PROCESS.has(s.State!)) return fromSummary(s as Summary, null);
        const pid = complete && s.State === 'running' ? knownPids.get(s.Id) : undefined;
        if (pid !== undefined) return fromSummary(s as Summary, pid);
        const info = await api.inspect(s.Id).catch(() => null); // removed between list and inspect
        return info ? toContainer(info) : null;
      }),
    )
  ).filter((c): c is DockerContainer => c !== null);
  for (const c of containers) for (const n of c.networks) n.driver = drivers.get(n.name) ?? null;
  return { status, containers };
}

export async function listDockerContainers(api: DockerApi, endpoint = dockerEndpoint()): Promise<DockerListing> {
  return completeDockerListing(api, await listDockerSummaries(api, endpoint));
}
