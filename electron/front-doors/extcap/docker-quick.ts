// Docker's running containers in one GET (/containers/json, no inspect per container):
// all the listing needs, in a few milliseconds, with node:http instead of dockerode (the
// extcap's listing must start fast). DOCKER_HOST is honoured for unix sockets and plain
// tcp; anything else (TLS, ssh) is left to the Backend.
import { request, type RequestOptions } from 'node:http';
import type { EngineContainer } from '../../../shared/helper-protocol';

const MAX_BODY = 64 << 20;

export type QuickDocker =
  | { ok: true; containers: EngineContainer[] }
  /** errno: EACCES (not in the docker group), ENOENT/ECONNREFUSED (no daemon), UNSUPPORTED (an endpoint only the Backend speaks). */
  | { ok: false; errno: string; message: string };

interface Summary {
  Id: string;
  Names?: string[];
  Image?: string;
  State?: string;
  Labels?: Record<string, string> | null;
  HostConfig?: { NetworkMode?: string };
}

function endpointOptions(env: NodeJS.ProcessEnv): RequestOptions | null {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(host);
  if (tcp && !env.DOCKER_TLS_VERIFY && !env.DOCKER_CERT_PATH) return { host: tcp[1], port: Number(tcp[2] ?? 2375) };
  return null;
}

function toContainer(s: Summary): EngineContainer {
  const labels = s.Labels ?? {};
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  return {
    id: s.Id,
    name: (s.Names?.[0] ?? s.Id.slice(0, 12)).replace(/^\//, ''),
    image: s.Image ?? '',
    state: s.State ?? 'running',
    pid: null,
    networkMode: s.HostConfig?.NetworkMode ?? 'default',
    networks: [],
    compose: project && service ? { project, service } : null,
    sandboxKey: null,
  };
}

/** Docker's running containers, or why not (never throws). */
export function quickDockerContainers(env: NodeJS.ProcessEnv = process.env, timeoutMs = 3000): Promise<QuickDocker> {
  const at = endpointOptions(env);
  if (!at) return Promise.resolve({ ok: false, errno: 'UNSUPPORTED', message: `DOCKER_HOST=${env.DOCKER_HOST} is listed by the Backend` });
  return new Promise((resolve) => {
    const req = request({ ...at, path: '/containers/json', method: 'GET', timeout: timeoutMs, headers: { host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(Object.assign(new Error(`Docker answered more than ${MAX_BODY} bytes`), { code: 'EMSGSIZE' }));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return resolve({ ok: false, errno: `HTTP${res.statusCode}`, message: `Docker answered ${res.statusCode}` });
        try {
          const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Summary[];
          resolve({ ok: true, containers: list.filter((s) => typeof s?.Id === 'string').map(toContainer) });
        } catch (e) {
          resolve({ ok: false, errno: 'EPROTO', message: `Docker's answer is not JSON: ${(e as Error).message}` });
        }
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('Docker did not answer in time'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, errno: e.code ?? 'EIO', message: e.message }));
    req.end();
  });
}
