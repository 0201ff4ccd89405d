// The helper's Docker client: three GETs over a unix socket with node:http.
// Used only when the user's own process is refused by the socket (not in the
// docker group). The user names the socket; root connects to it. So the helper
// resolves the path itself (symlinks followed once, here) and connects only to
// that real path, which must be a root-owned socket named docker.sock in folders
// only root can change: nothing the user controls can redirect root's connection
// to another root service, before or after the check.
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { CodedError } from '../../shared/result';
import type { DockerApi } from '../engines/docker';
import { describeProblem, whoElseCanChange } from '../kernel/file-trust';

const MAX_BODY = 64 << 20;

/** The real path of a Docker socket the helper may connect to for a user; throws a CodedError otherwise. */
export function resolveDockerSocket(path: string): string {
  if (basename(path) !== 'docker.sock') throw new CodedError('INVALID_INPUT', `${path}: only a Docker socket (docker.sock) can be listed`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new CodedError('NOT_FOUND', `no Docker socket at ${path}`);
  }
  if (basename(real) !== 'docker.sock') throw new CodedError('INVALID_INPUT', `${path} leads to ${real}: not a Docker socket (docker.sock)`);
  const problems = whoElseCanChange(real, { kind: 'socket' });
  if (problems.length) throw new CodedError('PERMISSION_DENIED', `${path}: ${describeProblem(problems[0]!)}: only a root-owned socket in folders only root can change is listed`);
  return real;
}

/** Throws unless `path` is a socket the helper may list (see resolveDockerSocket). */
export function checkDockerSocket(path: string): void {
  resolveDockerSocket(path);
}

async function getJson<T>(socketPath: string, path: string): Promise<T> {
  // Loaded here, not at start: node:http is 5-9 ms of every helper's start, and most never list Docker.
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 5000, headers: { host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy(new Error(`Docker answered more than ${MAX_BODY} bytes`));
        else chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`Docker answered ${res.statusCode} to GET ${path}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('Docker did not answer in time'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

/** The three calls, every one connecting to the path resolved now (throws like resolveDockerSocket). */
export function socketDockerApi(path: string): DockerApi {
  const socketPath = resolveDockerSocket(path);
  return {
    listContainers: () => getJson(socketPath, '/containers/json?all=1'),
    listNetworks: () => getJson(socketPath, '/networks'),
    inspect: (id) => getJson(socketPath, `/containers/${encodeURIComponent(id)}/json`),
  };
}
