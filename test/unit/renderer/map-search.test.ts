// Network names on bridges and the header's search (issue 14: bridges showed only
// br-8f6edaf192f9, and search found neither a network name nor an IP).
import { describe, expect, it } from 'vitest';
import { buildGraph, bridgeNodeId, nsNodeId } from '../../../renderer/src/graph/model';
import { searchGraph } from '../../../renderer/src/graph/search';
import { bridgeNetworks } from '../../../renderer/src/graph/networks';
import type { Topology } from '../../../shared/topology';
import { HOST, TopoBuilder } from './topo-builder';

const net = (name: string, ipv4: string, networkId: string | null = null) => ({ name, networkId, driver: 'bridge', ipv4, ipv6: null, mac: null, gateway: null });

/** nb: web on nb-front (by network id), redis on nb-back (found by address), client on both. */
function composeTopology(): { t: Topology; web: number; redis: number; client: number } {
  const b = new TopoBuilder().bridge('br-8f6edaf192f9').bridge('br-0123456789ab');
  const web = b.container('nb_web_1', { bridge: 'br-8f6edaf192f9', project: 'nb' });
  const redis = b.container('nb_redis_1', { bridge: 'br-0123456789ab', project: 'nb' });
  const client = b.container('nb_client_1', { bridge: 'br-8f6edaf192f9', project: 'nb' });
  const t = b.build();
  const c = (name: string) => t.containers.find((x) => x.name === name)!;
  c('nb_web_1').compose = { project: 'nb', service: 'web' };
  c('nb_redis_1').compose = { project: 'nb', service: 'redis' };
  c('nb_client_1').compose = { project: 'nb', service: 'client' };
  c('nb_web_1').networks = [net('nb-front', `10.0.${web % 256}.2`, '8f6edaf192f9aaaa')];
  c('nb_redis_1').networks = [net('nb-back', `10.0.${redis % 256}.2`)];
  c('nb_client_1').networks = [net('nb-front', `10.0.${client % 256}.2`, '8f6edaf192f9aaaa'), net('nb-back', '10.99.0.3')];
  c('nb_client_1').pod = { name: 'clientpod', namespace: null };
  return { t, web, redis, client };
}

describe('network names on bridges', () => {
  it('by network id (br-<id>) and by a container address on the network', () => {
    const { t } = composeTopology();
    expect(bridgeNetworks(t)).toEqual(new Map([[`${HOST}/br-8f6edaf192f9`, ['nb-front']], [`${HOST}/br-0123456789ab`, ['nb-back']]]));
    const m = buildGraph(t, { showStopped: true });
    const front = m.nodes.find((n) => n.id === bridgeNodeId(HOST, 'br-8f6edaf192f9'))!;
    expect(front).toMatchObject({ label: 'Bridge nb-front (br-8f6edaf192f9)', networks: ['nb-front'] });
    expect(m.nodes.find((n) => n.id === bridgeNodeId(HOST, 'docker0'))).toBeUndefined();
  });

  it('a bridge no container network is on keeps its kernel name', () => {
    const b = new TopoBuilder().bridge('docker0');
    b.container('a');
    const m = buildGraph(b.build(), { showStopped: true });
    expect(m.nodes.find((n) => n.kind === 'bridge')).toMatchObject({ label: 'Bridge docker0', networks: [] });
  });
});

describe('search', () => {
  const { t, web, redis, client } = composeTopology();
  const m = buildGraph(t, { showStopped: true });
  const find = (q: string) => {
    const h = searchGraph(m, q);
    return h ? [h.node.id, h.why] : null;
  };

  it('names, exact before partial', () => {
    expect(find('nb_web_1')).toEqual([nsNodeId(web), 'nb_web_1']);
    expect(find('REDIS_1')).toEqual([nsNodeId(redis), 'nb_redis_1']);
  });
  it('compose services, and pods', () => {
    expect(find('web')).toEqual([nsNodeId(web), 'service web (nb_web_1)']);
    expect(find('client')).toEqual([nsNodeId(client), 'service client (nb_client_1)']);
    expect(find('clientpod')).toEqual([nsNodeId(client), 'pod clientpod (nb_client_1)']);
  });
  it('IP addresses, whole or a prefix, from networks and interfaces', () => {
    expect(find(`10.0.${redis % 256}.2`)).toEqual([nsNodeId(redis), `10.0.${redis % 256}.2`]);
    expect(find('10.99.0.3')).toEqual([nsNodeId(client), '10.99.0.3']);
    expect(find('10.99.')).toEqual([nsNodeId(client), '10.99.0.3']);
  });
  it('network names find their bridge', () => {
    expect(find('nb-back')).toEqual([bridgeNodeId(HOST, 'br-0123456789ab'), 'network nb-back']);
    expect(find('front')).toEqual([bridgeNodeId(HOST, 'br-8f6edaf192f9'), 'network nb-front']);
  });
  it('bridge and host interface names, and nothing for nonsense', () => {
    expect(find('br-0123')).toEqual([bridgeNodeId(HOST, 'br-0123456789ab'), 'Bridge nb-back (br-0123456789ab)']);
    expect(find('zzz')).toBeNull();
    expect(find('  ')).toBeNull();
  });
});
