// The app's Docker client: dockerode for DOCKER_HOST, behind the DockerApi discovery uses.
import { Agent, type ClientRequest } from 'node:http';
import { inspect } from 'node:util';
import Docker from 'dockerode';
import { dockerEndpoint, type DockerApi } from '../../engines/docker';

/**
 * Plain HTTP (a unix socket, tcp://) names no TLS server. Node's agent still works one out from
 * the host name with net.isIP, whose IPv6 pattern V8 compiles at first use: 6-8 ms of every CLI
 * command's first Docker request. An empty servername is the one it leaves alone.
 */
export class PlainHttpAgent extends Agent {
  constructor() {
    super({ keepAlive: true, scheduling: 'lifo', timeout: 5000 }); // Node's global agent's settings
  }

  addRequest(req: ClientRequest, options: { servername?: string }): void {
    options.servername = '';
    (Agent.prototype as unknown as { addRequest(r: ClientRequest, o: object): void }).addRequest.call(this, req, options);
  }

  /**
   * docker-modem formats every request's options, agent included, with util.inspect (showHidden,
   * unlimited depth) for its debug log, even when nothing logs: walking an agent and its open
   * sockets made 100 parallel requests take 2.5 s instead of 90 ms.
   */
  [inspect.custom](): string {
    return 'PlainHttpAgent';
  }
}

/** A dockerode client for DOCKER_HOST. dockerode reads DOCKER_HOST itself; we add a timeout and the agent. */
export function createDockerClient(env: NodeJS.ProcessEnv = process.env): Docker {
  const endpoint = dockerEndpoint(env);
  // docker-modem takes an `agent`; dockerode's types do not list it.
  const common = { timeout: 5000, agent: new PlainHttpAgent() } as Docker.DockerOptions;
  if (endpoint.startsWith('unix://')) return new Docker({ ...common, socketPath: endpoint.slice('unix://'.length) });
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return new Docker({ ...common, host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}

export function dockerodeApi(client: Docker): DockerApi {
  return {
    listContainers: () => client.listContainers({ all: true }),
    listNetworks: () => client.listNetworks(),
    inspect: (id) => client.getContainer(id).inspect(),
  };
}
