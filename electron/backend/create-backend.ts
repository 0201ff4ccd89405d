// Composition root: build the one Backend with every service wired in.
// Front doors (Electron main, browser-mode server, CLI) call this and nothing else.
import { Backend } from './backend';
import { summarize } from '../formats/decode/summarize';
import { defaultCapturesDir } from './capture/output';
import { CaptureService } from './capture/capture-service';
import { withRootlessCaptures } from './capture/rootless-port';
import { helperCounterReader } from './rates/helper-counters';
import { NamespaceAnchors } from './rates/anchors';
import { RatesService } from './rates/rates-service';
import { localScanner, TopologyService, type NamespaceScanner } from './topology/topology-service';
import { TopologyWatcher } from './topology/topology-watcher';
import { HelperClient, type HelperClientOptions } from './helper-client/helper-client';
import { registerDiagnostics } from './diagnostics/diagnostics-service';
import { becomeUser, sudoUser, userEnv } from './sudo-invocation';
import { RemoteService } from './remote/remote-service';
import { withRemoteCaptures } from './remote/remote-port';

export interface BackendOptions {
  env?: NodeJS.ProcessEnv;
  scanner?: NamespaceScanner;
  /** Where captures are written (`vethscope serve --captures-dir`); the capture service picks a default. */
  capturesDir?: string;
  /** The privileged helper (default: a HelperClient started on first use). */
  helper?: HelperClient;
  helperOptions?: HelperClientOptions;
  /** Seconds between two rate samples (`vethscope top --interval`). */
  ratesIntervalSec?: number;
  /** Remote Docker hosts over SSH (`vethscope --host ssh://...`). */
  remoteHosts?: string[];
  /** Offer `docker context` and DOCKER_HOST ssh:// endpoints as hosts (default true; a CLI run naming --host says false). */
  offerDockerHosts?: boolean;
}

export interface Services {
  backend: Backend;
  topology: TopologyService;
  /** Pushes 'topology' events while anyone listens. */
  watcher: TopologyWatcher;
  rates: RatesService;
  /** The one privileged helper: captures and (when not root) namespace scans go through it. */
  helper: HelperClient;
  capture: CaptureService;
  /** Remote hosts over SSH: the host list, their maps, their captures. */
  remote: RemoteService;
}

/** What every front door gets: the one Backend (calls, events, capture files, close). */
export function createBackend(opts: BackendOptions = {}): Backend {
  return createServices(opts).backend;
}

/**
 * Like createBackend, and under `sudo vethscope ...` first starts the helper as root
 * (for the person behind sudo), then becomes that person: their captures, their home.
 */
export async function createBackendForCommand(opts: BackendOptions = {}): Promise<Backend> {
  const env = opts.env ?? process.env;
  const user = sudoUser(env);
  if (!user) return createBackend(opts);
  const helper = new HelperClient({ ...opts.helperOptions, env, elevation: 'root' });
  await helper.start();
  becomeUser(user);
  return createBackend({ ...opts, env: userEnv(env, user), helper });
}

/** The Backend and the services behind it, for tests and benchmarks that look inside. */
export function createServices(opts: BackendOptions = {}): Services {
  const backend = new Backend();
  const helper = opts.helper ?? new HelperClient({ env: opts.env, ...opts.helperOptions });
  backend.onClose(() => helper.close());
  // As root, scanning in-process is faster than a round trip through the helper.
  const defaultScanner = process.getuid?.() === 0 ? localScanner : helper;
  // Not root: a user the Docker socket refuses still sees containers, through the helper.
  const dockerViaHelper = process.getuid?.() === 0 ? undefined : (socket: string) => helper.request('listContainers', { socket });
  // Not root: root's engines' state files (names, pods, images) are read by the helper.
  const hostContainersViaHelper = process.getuid?.() === 0 ? undefined : (dockerStateFiles: boolean) => helper.request('listHostContainers', { dockerStateFiles });
  const topology = new TopologyService(opts.scanner ?? defaultScanner, opts.env ?? process.env, { dockerViaHelper, hostContainersViaHelper });
  topology.register(backend);
  // Live topology for whoever listens (windows, browser tabs): Docker events plus periodic rescans.
  const watcher = new TopologyWatcher(topology);
  watcher.register(backend);
  // Namespaces with no host veth and no readable process: nsenter in-process as root, the helper's readCounters otherwise.
  const rates = new RatesService(topology, { privileged: NamespaceAnchors.create() ?? helperCounterReader(helper), ...(opts.ratesIntervalSec ? { intervalSec: opts.ratesIntervalSec } : {}) });
  rates.register(backend);
  const env = opts.env ?? process.env;
  // Registered after helper.close, so its closer (stop running captures) runs first.
  // A user's own rootless containers are captured as that user, without the helper (rootless-tcpdump.ts).
  const localPort = process.getuid?.() === 0 ? helper : withRootlessCaptures(helper);
  // Remote hosts: registered before the capture service, so its closer (stop running captures) runs first.
  const remote = new RemoteService({ env, hosts: opts.remoteHosts ?? [], offerDockerHosts: opts.offerDockerHosts ?? true });
  remote.register(backend);
  // Interfaces on remote hosts are captured over ssh (remote/remote-capture.ts); the rest by the local helper.
  const capturePort = withRemoteCaptures(localPort, remote.captures);
  const remoteTargets = { any: (t: Parameters<typeof RemoteService.anyRemote>[0]) => RemoteService.anyRemote(t), resolve: remote.resolve.bind(remote) };
  const capture = new CaptureService({ topology, helper: capturePort, summarize, capturesDir: opts.capturesDir ?? defaultCapturesDir(env), env, remoteTargets });
  capture.register(backend);
  // doctor: plans the same launch as this helper, without starting it.
  registerDiagnostics(backend, { env, capturesDir: opts.capturesDir ?? defaultCapturesDir(env), helperOptions: { env: opts.env, ...opts.helperOptions }, helperRunning: () => helper.helperPid !== null, dockerPing: () => topology.docker.ping() });
  return { backend, topology, watcher, rates, helper, capture, remote };
}
