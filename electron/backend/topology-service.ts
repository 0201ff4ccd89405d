// Topology: discovery on demand, through the privileged channel when there is one.
import type Docker from 'dockerode';
import type { Topology } from '../../shared/topology';
import { createDockerClient, dockerEndpoint, listDockerContainers } from '../discovery/docker';
import { scanNamespaces, type NamespaceScan } from '../discovery/namespaces';
import { discoverTopology } from '../discovery/topology';
import type { Backend } from './backend';

/** How the unprivileged backend reaches namespaces it cannot enter itself. */
export interface NamespaceScanner {
  mode(): 'root' | 'helper' | 'none';
  /** Scan every namespace; rejects with a CodedError when the helper cannot be had. */
  scanNamespaces(): Promise<NamespaceScan>;
  lastError?(): { code: string; message: string } | undefined;
}

/** In-process scanning: complete as root, the host namespace only otherwise. */
export const localScanner: NamespaceScanner = {
  mode: () => (process.getuid?.() === 0 ? 'root' : 'none'),
  scanNamespaces: () => scanNamespaces(),
};

export class TopologyService {
  readonly docker: Docker;
  private last: Topology | null = null;

  constructor(
    private readonly scanner: NamespaceScanner = localScanner,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.docker = createDockerClient(env);
  }

  async discover(): Promise<Topology> {
    let scannerError: { code: string; message: string } | undefined;
    const scanner: NamespaceScanner = {
      mode: () => (scannerError ? 'none' : this.scanner.mode()),
      scanNamespaces: async () => {
        try {
          return await this.scanner.scanNamespaces();
        } catch (err) {
          // Helper refused or died: still show what an unprivileged scan sees.
          const e = err as { code?: string; message?: string };
          scannerError = { code: e.code ?? 'HELPER_UNAVAILABLE', message: e.message ?? String(err) };
          return scanNamespaces();
        }
      },
    };
    this.last = await discoverTopology({
      listContainers: () => listDockerContainers(this.docker, dockerEndpoint(this.env)),
      scanNamespaces: scanner.scanNamespaces,
      privilegedMode: scanner.mode,
      privilegedError: () => scannerError ?? this.scanner.lastError?.(),
    });
    return this.last;
  }

  latest(): Topology | null {
    return this.last;
  }

  register(backend: Backend): void {
    backend.handle('getTopology', () => this.discover());
  }
}
