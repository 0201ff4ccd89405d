// Hosts the user already told Docker about, offered as remote hosts: every `docker context`
// whose endpoint is ssh:// (what `docker context ls` lists, read from the files it reads:
// $DOCKER_CONFIG or ~/.docker, contexts/meta/*/meta.json) and DOCKER_HOST=ssh://... Read
// only: nothing here changes a context or the environment.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHostUrl, type HostAddress } from './host-url';

export interface OfferedHost {
  address: HostAddress;
  source: 'docker-context' | 'docker-host';
  context: string | null;
}

const MAX_CONTEXTS = 256;

export function dockerSshHosts(env: NodeJS.ProcessEnv = process.env): OfferedHost[] {
  const out: OfferedHost[] = [];
  const add = (url: unknown, source: OfferedHost['source'], context: string | null) => {
    if (typeof url !== 'string' || !url.startsWith('ssh://')) return;
    try {
      const address = parseHostUrl(url);
      if (!out.some((o) => o.address.id === address.id)) out.push({ address, source, context });
    } catch {
      /* not a host we can name safely: not offered */
    }
  };
  add(env.DOCKER_HOST, 'docker-host', null);
  const config = env.DOCKER_CONFIG?.startsWith('/') ? env.DOCKER_CONFIG : env.HOME?.startsWith('/') ? join(env.HOME, '.docker') : null;
  if (!config) return out;
  const meta = join(config, 'contexts', 'meta');
  let dirs: string[] = [];
  try {
    dirs = readdirSync(meta).slice(0, MAX_CONTEXTS);
  } catch {
    return out;
  }
  for (const d of dirs) {
    try {
      const m = JSON.parse(readFileSync(join(meta, d, 'meta.json'), 'utf8').slice(0, 65536)) as { Name?: unknown; Endpoints?: { docker?: { Host?: unknown } } };
      add(m.Endpoints?.docker?.Host, 'docker-context', typeof m.Name === 'string' ? m.Name.slice(0, 128) : null);
    } catch {
      /* unreadable or not JSON: skipped */
    }
  }
  return out;
}
