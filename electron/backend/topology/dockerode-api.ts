// The app's Docker client: dockerode for DOCKER_HOST, behind the DockerApi discovery uses.
import Docker from 'dockerode';
import { dockerEndpoint, type DockerApi } from '../../engines/docker';

/** A dockerode client for DOCKER_HOST. dockerode reads DOCKER_HOST itself; we only add a timeout. */
export function createDockerClient(env: NodeJS.ProcessEnv = process.env): Docker {
  const endpoint = dockerEndpoint(env);
  if (endpoint.startsWith('unix://')) return new Docker({ socketPath: endpoint.slice('unix://'.length), timeout: 5000 });
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http', timeout: 5000 });
}

export function dockerodeApi(client: Docker): DockerApi {
  return {
    listContainers: () => client.listContainers({ all: true }),
    listNetworks: () => client.listNetworks(),
    inspect: (id) => client.getContainer(id).inspect(),
  };
}
