import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerSshHosts } from '../../../electron/backend/remote/docker-contexts';

describe('dockerSshHosts', () => {
  it("offers DOCKER_HOST=ssh:// and every ssh:// docker context, read only, refusing names it cannot pass to ssh safely", () => {
    const home = mkdtempSync(join(tmpdir(), 'vsx-ctx-'));
    try {
      const ctx = (dir: string, name: string, host: string) => {
        mkdirSync(join(home, '.docker/contexts/meta', dir), { recursive: true });
        writeFileSync(join(home, '.docker/contexts/meta', dir, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }));
      };
      ctx('a1', 'prod', 'ssh://deploy@prod.example:2222');
      ctx('b2', 'local', 'unix:///var/run/docker.sock');
      ctx('c3', 'evil', 'ssh://-oProxyCommand=touch /tmp/x');
      mkdirSync(join(home, '.docker/contexts/meta/d4'));
      writeFileSync(join(home, '.docker/contexts/meta/d4/meta.json'), '{not json');
      const offers = dockerSshHosts({ HOME: home, DOCKER_HOST: 'ssh://root@staging' });
      expect(offers.map((o) => [o.address.id, o.source, o.context])).toEqual([
        ['root@staging', 'docker-host', null],
        ['deploy@prod.example:2222', 'docker-context', 'prod'],
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
