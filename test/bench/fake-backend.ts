// A small static server that speaks shared/browser-protocol.ts with canned answers.
// For the UI benchmark (and renderer-only screenshots): it answers getTopology with a
// fixture and everything else minimally. It is NOT the product server.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Topology } from '../../shared/topology';
import type { RatesSample } from '../../shared/rates';
import { CALL_PATH, EVENTS_PATH, EVENTS_PROTOCOL, SESSION_HEADER, SESSION_PATH, SESSION_PROTOCOL_PREFIX, TICKET_PARAM } from '../../shared/browser-protocol';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };

export interface FakeBackendOptions {
  root: string;
  topology: () => Topology;
  /** Synthesised rates (null: the sampler is "absent"). */
  rates?: () => RatesSample | null;
  token?: string;
  /** Replaces getStatus's answer (e.g. a refused helper). */
  status?: () => unknown;
}

export interface FakeBackend {
  url: string;
  token: string;
  push(event: string, payload: unknown): void;
  close(): Promise<void>;
}

export async function startFakeBackend(opts: FakeBackendOptions): Promise<FakeBackend> {
  const token = opts.token ?? 'bench-token';
  const calls: Record<string, (input: unknown) => unknown> = {
    getTopology: () => opts.topology(),
    getStatus: () => opts.status?.() ?? ({ version: 'fake', docker: { available: true }, privileged: { available: true, mode: 'root' }, capturesDir: '/tmp', launchers: { wireshark: false, fileManager: false } }),
    listCaptures: () => [],
    getRates: () => opts.rates?.() ?? null,
    getRateHistory: (input) => {
      const now = Date.now() / 1000;
      const r = opts.rates?.();
      const i = r?.interfaces.find((x) => x.netns === (input as { netns: number }).netns && x.name === (input as { name: string }).name);
      if (!i) return [];
      return Array.from({ length: 300 }, (_, k) => ({ time: now - 300 + k, rxBytesPerSec: i.rxBytesPerSec * (0.6 + 0.4 * Math.sin(k / 20)), txBytesPerSec: i.txBytesPerSec * (0.6 + 0.4 * Math.cos(k / 25)) }));
    },
    validateFilter: (input) => ((input as { filter: string }).filter.includes('bogus') ? { __error: { code: 'BAD_FILTER', message: 'tcpdump: syntax error in filter expression' } } : { valid: true }),
    getPackets: () => [],
    retryHelper: () => opts.status?.() ?? calls.getStatus!({}),
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // The link's ticket (the token, reusable here: a fake) is exchanged for the token as the session.
    if (url.pathname === SESSION_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: req.method === 'POST' ? { session: token } : {} }));
      return;
    }
    if (url.pathname.startsWith(CALL_PATH) && req.method === 'POST') {
      if (req.headers[SESSION_HEADER] !== token) {
        res.writeHead(401).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const method = url.pathname.slice(CALL_PATH.length);
      const fn = calls[method];
      const input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
      const out = fn ? fn(input) : { __error: { code: 'UNSUPPORTED', message: `fake backend: ${method} not implemented` } };
      const body = out && typeof out === 'object' && '__error' in out ? { ok: false, error: (out as { __error: unknown }).__error } : { ok: true, result: out };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : url.pathname.replace(/^\/+/, '');
    const file = path.join(opts.root, path.normalize(rel));
    if (!file.startsWith(opts.root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: () => EVENTS_PROTOCOL });
  const clients = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== EVENTS_PATH || !String(req.headers['sec-websocket-protocol']).includes(SESSION_PROTOCOL_PREFIX + token)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/#${TICKET_PARAM}=${token}`,
    token,
    push(event, payload) {
      const msg = JSON.stringify({ event, payload });
      for (const c of clients) c.send(msg);
    },
    async close() {
      for (const c of clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
