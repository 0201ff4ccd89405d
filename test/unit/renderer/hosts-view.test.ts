// The remote hosts' regions (renderer/src/hosts/): headings, search across hosts, selection across hosts, capture targets naming hosts.
import { describe, expect, it } from 'vitest';
import type { HostStatus } from '../../../shared/topology';
import { buildGraph } from '../../../renderer/src/graph/model';
import { hostLine, searchHosts, sourceLabel, toggleSelection } from '../../../renderer/src/hosts/hostsView';
import { choicesFor, targetsFor } from '../../../renderer/src/panel/CaptureForm';
import { TopoBuilder } from './topo-builder';

const status = (extra: Partial<HostStatus>): HostStatus => ({ id: 'alpha', name: 'alpha', url: 'ssh://alpha', source: 'added', context: null, state: 'reachable', lastError: null, latencyMs: 12, lastSeen: null, remoteHostname: 'alpha', via: 'commands', retryAt: null, ...extra });

describe('remote hosts in the app', () => {
  it('each region says its host, its state and why it is unreachable (escaped)', () => {
    expect(hostLine(status({}))).toBe('alpha · reachable · 12 ms');
    expect(hostLine(status({ remoteHostname: 'web01' }))).toBe('alpha · reachable · 12 ms · hostname web01');
    expect(hostLine(status({ state: 'unreachable', lastError: { code: 'PERMISSION_DENIED', message: 'alpha: its host key is not in your known_hosts\u001b[2J' } }))).toBe('alpha · unreachable: alpha: its host key is not in your known_hosts\\x1b[2J');
    expect(sourceLabel(status({ source: 'docker-context', context: 'prod' }))).toBe('docker context prod');
  });

  it('the search finds containers on every host, labelled by the host', () => {
    const a = new TopoBuilder();
    a.bridge('docker0');
    a.container('web-a', { bridge: 'docker0' });
    const b = new TopoBuilder();
    b.bridge('docker0');
    b.container('web-b', { bridge: 'docker0' });
    const models = [
      { host: 'alpha', model: buildGraph(a.build(), { showStopped: true }) },
      { host: 'beta', model: buildGraph(b.build(), { showStopped: true }) },
    ];
    const hits = searchHosts(models, 'web-b');
    expect(hits.map((h) => [h.host, h.node.containers[0]?.name])).toEqual([['beta', 'web-b']]);
    expect(hits[0]!.why).toMatch(/^beta: /);
    expect(searchHosts(models, 'web').map((h) => h.host)).toEqual(['alpha', 'beta']);
  });

  it('a selection spans hosts with Shift/Ctrl, and each target names its node’s host', () => {
    let sel = toggleSelection([], { host: 'alpha', key: 'c:1' }, false);
    sel = toggleSelection(sel, { host: 'beta', key: 'c:1' }, true);
    expect(sel).toEqual([{ host: 'alpha', key: 'c:1' }, { host: 'beta', key: 'c:1' }]);
    expect(toggleSelection(sel, { host: 'beta', key: 'c:1' }, true)).toEqual([{ host: 'alpha', key: 'c:1' }]);
    expect(toggleSelection(sel, { host: 'beta', key: 'c:2' }, false)).toEqual([{ host: 'beta', key: 'c:2' }]);
    // What the form sends: the same targets as locally, each with its host (CaptureForm's hostOf).
    const t = new TopoBuilder();
    t.bridge('docker0');
    t.container('web-a', { bridge: 'docker0' });
    const node = buildGraph(t.build(), { showStopped: true }).nodes.find((n) => n.containers[0]?.name === 'web-a')!;
    const chosen = new Set(choicesFor([node]).filter((c) => c.defaultOn).map((c) => c.key));
    expect(targetsFor([node], chosen).map((x) => ({ ...x, host: 'alpha' }))).toEqual([{ type: 'container', container: 'web-a', interfaces: ['eth0'], host: 'alpha' }]);
  });
});
