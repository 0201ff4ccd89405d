// The Docker client's requests go through an agent that names no TLS server (plain HTTP):
// Node's default agent works one out with net.isIP, 6-8 ms of a CLI's first request.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerClient, PlainHttpAgent } from '../../../../electron/backend/topology/dockerode-api';

const dir = mkdtempSync(join(tmpdir(), 'vs-agent-'));
const socket = join(dir, 'docker.sock');
const server = createServer((req, res) => {
  res.setHeader('Content-Type', 'application/json');
  res.end(req.url?.startsWith('/containers/json') ? '[{"Id":"abc"}]' : '{}');
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Docker client agent', () => {
  it('answers over a unix socket with an empty servername, on one kept-alive connection', async () => {
    await new Promise<void>((r) => server.listen(socket, r));
    const client = createDockerClient({ DOCKER_HOST: `unix://${socket}` });
    const agent = (client as unknown as { modem: { agent?: unknown } }).modem.agent;
    expect(agent).toBeInstanceOf(PlainHttpAgent);
    const seen: Array<string | undefined> = [];
    type Connect = (o: { servername?: string }, cb: unknown) => unknown;
    const a = agent as unknown as { createConnection: Connect; destroy(): void };
    const connect = a.createConnection.bind(a);
    a.createConnection = (o, cb) => {
      seen.push(o.servername);
      return connect(o, cb);
    };
    expect(await client.listContainers({ all: true })).toEqual([{ Id: 'abc' }]);
    expect(await client.listContainers({ all: true })).toEqual([{ Id: 'abc' }]);
    // One connection, kept alive for the second request, with no TLS server name worked out.
    expect(seen).toEqual(['']);
    // docker-modem inspects each request's options (showHidden, any depth) for its debug log: the agent prints as its name, not its sockets.
    expect(inspect({ agent }, { showHidden: true, depth: null })).toBe('{ agent: PlainHttpAgent }');
    a.destroy();
  });
});
