import { describe, expect, it } from 'vitest';
import { nsLabel, renderTree } from '../../../../electron/front-doors/cli/tree';
import { matchContainers } from '../../../../electron/backend/topology/find-container';
import { container, smallTopology, topology } from '../../topology-fixtures';

describe('renderTree', () => {
  it('draws host -> bridge -> veth <-> container interface, with addresses', () => {
    const text = renderTree(smallTopology());
    expect(text.split('\n').slice(0, 3)).toEqual(['host (netns 1)', '`-- docker0 [bridge] 172.17.0.1/16', '    `-- veth1a [veth] <-> web/eth0 172.17.0.2/16']);
    expect(text).toMatch(/namespaces\n`-- web \(netns 200\)\n {4} {2}eth0 \[veth\] 172\.17\.0\.2\/16 <-> host\/veth1a/);
    expect(text).toMatch(/containers without their own namespace\n`-- old \(exited, network bridge\)/);
    expect(text).not.toMatch(/warning|unavailable/);
  });

  it('says when Docker is unavailable, when unprivileged, and lists warnings', () => {
    const text = renderTree(
      topology({
        docker: { available: false, endpoint: 'unix:///nope', error: { code: 'DOCKER_UNAVAILABLE', message: 'no Docker socket at unix:///nope' } },
        privileged: { available: false, mode: 'none' },
        warnings: ['veth x: left unresolved'],
      }),
    );
    expect(text).toContain('docker: unavailable: no Docker socket at unix:///nope');
    expect(text).toContain('note: not privileged: only the host namespace was read');
    expect(text).toContain('warning: veth x: left unresolved');
  });

  it('labels namespaces by name, as host, or by inode', () => {
    const t = smallTopology();
    expect([nsLabel(t, 1), nsLabel(t, 200), nsLabel(t, 999)]).toEqual(['host', 'web', 'netns 999']);
  });
});

describe('matchContainers', () => {
  const t = { containers: [container('web', { id: 'aaaa1111' }), container('webhook', { id: 'bbbb2222' }), container('db', { id: 'aaaa3333' })] };
  const names = (q: string) => matchContainers(t, q).map((c) => c.name);

  it('prefers an exact name over prefixes', () => expect(names('web')).toEqual(['web']));
  it('matches name and id prefixes', () => {
    expect(names('webh')).toEqual(['webhook']);
    expect(names('aaaa')).toEqual(['web', 'db']);
    expect(names('bbbb2222')).toEqual(['webhook']);
  });
  it('returns nothing for no match', () => expect(names('zzz')).toEqual([]));
});
