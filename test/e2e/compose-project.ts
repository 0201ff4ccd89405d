// A docker-compose project as compose would create it (compose itself is not installed here):
// two user-defined networks and three services labelled com.docker.compose.project/service,
// named the compose v1 way (PROJECT_SERVICE_1). web serves HTTP, redis listens, client is on
// both networks and asks web for a page every 200 ms, by name (a DNS lookup to Docker's
// embedded resolver over its lo, then HTTP). Traffic stays between these containers.
import { docker, dockerTry, removeSuiteContainers, runContainer, TEST_LABEL } from '../support/env';

export const PROJECT = 'vsu14';
export const SUITE = 'e2e-compose';
export const FRONT = `${PROJECT}-front`;
export const BACK = `${PROJECT}-back`;
export const WEB = `${PROJECT}_web_1`;
export const REDIS = `${PROJECT}_redis_1`;
export const CLIENT = `${PROJECT}_client_1`;

const compose = (service: string) => ['--label', `com.docker.compose.project=${PROJECT}`, '--label', `com.docker.compose.service=${service}`, '--label', 'com.docker.compose.container-number=1'];

function network(name: string, subnet: string): void {
  docker('network', 'create', '--label', `${TEST_LABEL}=${SUITE}`, '--label', `com.docker.compose.project=${PROJECT}`, '--label', `com.docker.compose.network=${name.slice(PROJECT.length + 1)}`, '--subnet', subnet, name);
}

export function removeProject(): void {
  removeSuiteContainers(SUITE);
  for (const n of [FRONT, BACK]) dockerTry('network', 'rm', n);
}

export function startProject(): void {
  removeProject();
  network(FRONT, '10.214.11.0/24');
  network(BACK, '10.214.12.0/24');
  runContainer(SUITE, WEB, [...compose('web'), '--network', FRONT, '--network-alias', 'web'], undefined, ['httpd', '-f', '-p', '80', '-h', '/etc']);
  runContainer(SUITE, REDIS, [...compose('redis'), '--network', BACK, '--network-alias', 'redis'], undefined, ['sh', '-c', 'while true; do nc -l -p 6379 >/dev/null; done']);
  runContainer(SUITE, CLIENT, [...compose('client'), '--network', FRONT, '--network-alias', 'client'], undefined, ['sh', '-c', `while true; do wget -q -O /dev/null http://${WEB}/hostname; sleep 0.2; done`]);
  docker('network', 'connect', BACK, CLIENT);
}

/** `docker restart` the way compose restarts a service (1 s to stop). */
export function restart(name: string): void {
  docker('restart', '-t', '1', name);
}
