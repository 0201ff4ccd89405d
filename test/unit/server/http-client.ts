// A raw HTTP client for server tests: node:http lets a test set Host and send
// paths byte for byte (fetch would normalise `..` and forbid some headers).
import http from 'node:http';
import WebSocket from 'ws';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  port: number,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: { host: `127.0.0.1:${port}`, ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Open a WebSocket; resolves with the socket and the subprotocol the server chose, or with the HTTP status it refused it with. */
export function openWs(
  port: number,
  path: string,
  opts: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<{ ws?: WebSocket; status: number; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, opts.protocols ?? [], { headers: opts.headers, handshakeTimeout: 5000 });
    ws.once('open', () => resolve({ ws, status: 101, protocol: ws.protocol }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => reject(err)); // after a refusal, terminate() also errors: ignored (already resolved)
  });
}
