// Finding a container the way people type it: compose services, names whatever the
// separator, and "did you mean ...?" when nothing matches (issue 14).
import { describe, expect, it } from 'vitest';
import { findContainer, matchContainers, suggestContainers } from '../../../../electron/backend/topology/find-container';
import { container, topology } from '../../topology-fixtures';

const compose = (project: string, service: string) => ({ compose: { project, service } });
/** A compose v1 project (nb_web_1...), a v2 one (shop-api-1...) and a loose container. */
const t = topology({
  containers: [
    container('nb_web_1', { id: 'a1b2c3', ...compose('nb', 'web') }),
    container('nb_redis_1', { id: 'a1d4e5', ...compose('nb', 'redis') }),
    container('nb_client_1', { id: 'c0ffee', ...compose('nb', 'client') }),
    container('shop-api-1', { id: 'd00d01', ...compose('shop', 'api') }),
    container('shop-api-2', { id: 'd00d02', ...compose('shop', 'api') }),
    container('webhook', { id: 'e1e1e1' }),
  ],
});
const names = (q: string) => matchContainers(t, q).map((c) => c.name);
const message = (q: string) => {
  try {
    return `found ${findContainer(t, q).name}`;
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
};

describe('matchContainers: what people type', () => {
  it('a compose service name is its container (before name prefixes: `web` is not webhook)', () => {
    expect(names('web')).toEqual(['nb_web_1']);
    expect(names('redis')).toEqual(['nb_redis_1']);
  });

  it('a scaled service is ambiguous, naming every replica', () => {
    expect(message('api')).toBe('AMBIGUOUS: "api" matches 2 containers: shop-api-1 (d00d01), shop-api-2 (d00d02)');
  });

  it('a service whose old replicas exited means its one running container', () => {
    const t2 = topology({ containers: [container('nb_web_1', { ...compose('nb', 'web'), state: 'exited', netns: null }), container('nb_web_2', { id: 'x2', ...compose('nb', 'web') })] });
    expect(matchContainers(t2, 'web').map((c) => c.name)).toEqual(['nb_web_2']);
  });

  it('words of a name match whatever the separator (compose v1 and v2 names)', () => {
    expect(names('web-1')).toEqual(['nb_web_1']);
    expect(names('web_1')).toEqual(['nb_web_1']);
    expect(names('nb-redis-1')).toEqual(['nb_redis_1']);
    expect(names('api-2')).toEqual(['shop-api-2']);
  });

  it('never picks a container by a number or a fragment of a word alone', () => {
    expect(names('1')).toEqual([]);
    expect(names('eb')).toEqual([]);
    expect(names('edis')).toEqual([]);
  });

  it('exact names, ids and prefixes still win as before', () => {
    expect(names('webhook')).toEqual(['webhook']);
    expect(names('webh')).toEqual(['webhook']);
    expect(names('c0f')).toEqual(['nb_client_1']);
    expect(names('a1')).toEqual(['nb_web_1', 'nb_redis_1']);
  });
});

describe('findContainer: did you mean ...?', () => {
  it('suggests the container for a typo in its name, its words or its service', () => {
    expect(message('wbe')).toBe('NOT_FOUND: no container named or with id starting "wbe": did you mean nb_web_1?');
    expect(message('web-2')).toBe('NOT_FOUND: no container named or with id starting "web-2": did you mean nb_web_1?');
    expect(message('nb_reddis_1')).toBe('NOT_FOUND: no container named or with id starting "nb_reddis_1": did you mean nb_redis_1?');
    expect(message('clinet')).toBe('NOT_FOUND: no container named or with id starting "clinet": did you mean nb_client_1?');
  });

  it('suggests the names that contain what was typed', () => {
    expect(suggestContainers(t, 'edis')).toEqual(['nb_redis_1']);
  });

  it('says nothing more when nothing is close', () => {
    expect(message('postgres')).toBe('NOT_FOUND: no container named or with id starting "postgres"');
  });
});
