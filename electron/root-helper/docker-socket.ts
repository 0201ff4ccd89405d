// The helper's Docker client: three GETs over a unix socket with node:http.
// Used only when the user's own process is refused by the socket (not in the
// docker group). Restricted to a root-owned socket named docker.sock, so the
// helper cannot be pointed at some other root service.
import { request } from 'node:http';
import { lstatSync } from 'node:fs';
import { basename } from 'node:path';
import { CodedError } from '../../shared/result';
import type { DockerApi } from '../engines/docker';

const MAX_BODY = 64 << 20;

export function checkDockerSocket(path: string): void {
  if (basename(path) !== 'docker.sock') throw new CodedError('INVALID_INPUT', `${path}: only a Docker socket (docker.sock) can be listed`);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    throw new CodedError('NOT_FOUND', `no Docker socket at ${path}`);
  }
  if (!st.isSocket() || st.uid !== 0) throw new CodedError('PERMISSION_DENIED', `${path} is not a root-owned socket`);
}

function getJson<T>(socketPath: string, path: string): Promise<T> {
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

export function socketDockerApi(socketPath: string): DockerApi {
  return {
    listContainers: () => getJson(socketPath, '/containers/json?all=1'),
    listNetworks: () => getJson(socketPath, '/networks'),
    inspect: (id) => getJson(socketPath, `/containers/${encodeURIComponent(id)}/json`),
  };
}
