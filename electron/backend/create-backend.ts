// Composition root: build the one Backend with every service wired in.
// Front doors (Electron main, browser-mode server, CLI) call this and nothing else.
import { Backend } from './backend';
import { localScanner, TopologyService, type NamespaceScanner } from './topology-service';

export interface BackendOptions {
  env?: NodeJS.ProcessEnv;
  scanner?: NamespaceScanner;
  /** Where captures are written (`vethscope serve --captures-dir`); the capture service picks a default. */
  capturesDir?: string;
}

export interface Services {
  backend: Backend;
  topology: TopologyService;
  /** A capture's file path, or null: browser mode's download route asks this. Set by the capture service. */
  captureFile?: (id: string) => Promise<string | null>;
}

export function createBackend(opts: BackendOptions = {}): Services {
  const backend = new Backend();
  const topology = new TopologyService(opts.scanner ?? localScanner, opts.env ?? process.env);
  topology.register(backend);
  return { backend, topology };
}
