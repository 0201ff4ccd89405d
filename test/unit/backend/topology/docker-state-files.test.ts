// What the host-file namers read on a scan: Docker's own state files only when Docker's API is
// not what names Docker's containers. The first scan asks Docker first (a CLI command's only scan).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TopologyService, type NamespaceScanner } from '../../../../electron/backend/topology/topology-service';
import type { HostContainer, HostContainerListing } from '../../../../shared/helper-protocol';

const scanner: NamespaceScanner = {
  mode: () => 'root',
  scanNamespaces: async () => ({ hostInode: 1, namespaces: [{ inode: 1, isHost: true, pids: [1], paths: [], netnsNames: [], links: [], error: null }], privileged: true, warnings: [] }),
};
const task = (id: string): HostContainer => ({ engine: 'docker', id, name: id.slice(0, 12), image: null, pod: null, infra: false, pid: 4242, netns: null, uid: 0, compose: null });

/** A Docker API on a unix socket that lists `ids` as running containers. */
function fakeDocker(sock: string, ids: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (/^\/networks/.test(req.url ?? '')) return res.end('[]');
    if (/\/containers\/json/.test(req.url ?? '')) return res.end(JSON.stringify(ids.map((Id) => ({ Id, Names: [`/c-${Id.slice(0, 4)}`], Image: 'img', State: 'running', Labels: {}, HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: {} } }))));
    const m = /\/containers\/([^/]+)\/json/.exec(req.url ?? '');
    if (m) return res.end(JSON.stringify({ Id: m[1], Name: `/c-${m[1]!.slice(0, 4)}`, Config: { Image: 'img', Labels: {} }, State: { Running: true, Status: 'running', Pid: 0 }, HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: {}, SandboxKey: '' } }));
    res.end('{}');
  });
  return new Promise((r) => server.listen(sock, () => r(server)));
}

describe("Docker's state files on a scan", () => {
  let dir: string;
  let server: Server | null = null;
  let reads: boolean[];
  const readHostContainers = (found: HostContainer[]) => (o: { dockerStateFiles: boolean }): HostContainerListing => (reads.push(o.dockerStateFiles), { containers: found, warnings: [] });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vs-dsf-'));
    reads = [];
  });
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it("first scan, Docker's API answering and naming every task: the state files are not read", async () => {
    const id = 'a'.repeat(64);
    server = await fakeDocker(join(dir, 'd.sock'), [id]);
    const svc = new TopologyService(scanner, { DOCKER_HOST: `unix://${join(dir, 'd.sock')}` }, { readHostContainers: readHostContainers([task(id)]), ownNamespaces: null });
    await svc.discover();
    expect(reads).toEqual([false]);
  });

  it("first scan without Docker's API: they are read", async () => {
    const svc = new TopologyService(scanner, { DOCKER_HOST: `unix://${join(dir, 'none.sock')}` }, { readHostContainers: readHostContainers([task('b'.repeat(64))]), ownNamespaces: null });
    await svc.discover();
    expect(reads).toEqual([true]);
  });

  it("a Docker task its API does not list (DOCKER_HOST names another engine): read again, with them", async () => {
    server = await fakeDocker(join(dir, 'd.sock'), ['p'.repeat(64)]);
    const svc = new TopologyService(scanner, { DOCKER_HOST: `unix://${join(dir, 'd.sock')}` }, { readHostContainers: readHostContainers([task('d'.repeat(64))]), ownNamespaces: null });
    await svc.discover();
    expect(reads).toEqual([false, true]);
  });
});
