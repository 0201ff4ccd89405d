// Composition root: build the one Backend with every service wired in.
// Front doors (Electron main, browser-mode server, CLI) call this and nothing else.
import { Backend } from './backend';
import { nsenterCounterReader } from '../rates/sources';
import { RatesService } from './rates-service';
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
  rates: RatesService;
  /** A capture's file path, or null: browser mode's download route asks this. Set by the capture service. */
  captureFile?: (id: string) => Promise<string | null>;
}

export function createBackend(opts: BackendOptions = {}): Services {
  const backend = new Backend();
  const topology = new TopologyService(opts.scanner ?? localScanner, opts.env ?? process.env);
  topology.register(backend);
  // Namespaces with no host veth and no readable process: nsenter as root (the helper's readCounters otherwise, once it exists).
  const rates = new RatesService(topology, { privileged: nsenterCounterReader() });
  rates.register(backend);
  return { backend, topology, rates };
}
