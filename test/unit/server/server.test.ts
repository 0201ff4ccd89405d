// Browser-mode server over real HTTP/WebSocket on 127.0.0.1, in front of the real Backend object
// (input validation, dispatch, events) with one canned handler: every gate (Host, Origin, no secret,
// wrong secret, ticket reuse, expired ticket, WS auth, download links).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../../electron/backend/backend';
import { createServer, type RunningServer } from '../../../electron/front-doors/browser/server';
import {
  DOWNLOAD_TTL_MS,
  EVENTS_PROTOCOL,
  SESSION_HEADER,
  SESSION_PATH,
  SESSION_PROTOCOL_PREFIX,
  TICKET_PARAM,
  TICKET_TTL_MS,
} from '../../../shared/browser-protocol';
import type { Topology } from '../../../shared/topology';
import { openWs, request, type Reply } from './http-client';

const SECRET = 'vss-secret-outside-static-dir';
let tmp: string;
let backend: Backend;
let srv: RunningServer;
let port: number;
let clock = 1_000_000;
let S: string; // a session secret, exchanged from the first printed link
const table: Array<{ case: string; expected: number; got: number }> = [];

/** Request, record the case in the printed table, assert the status and that no cookie is ever set. */
async function expectStatus(name: string, expected: number, opts: Parameters<typeof request>[1]): Promise<Reply> {
  const r = await request(port, opts);
  table.push({ case: name, expected, got: r.status });
  expect(r.status, `${name}: ${r.body.slice(0, 200)}`).toBe(expected);
  expect(r.headers['set-cookie'], `${name}: Set-Cookie`).toBeUndefined();
  return r;
}

const ticketOf = (url: string) => new URLSearchParams(new URL(url).hash.slice(1)).get(TICKET_PARAM) ?? '';
const exchange = (name: string, expected: number, ticket: string, headers: Record<string, string> = {}) =>
  expectStatus(name, expected, { method: 'POST', path: SESSION_PATH, body: JSON.stringify({ ticket }), headers: { 'content-type': 'application/json', ...headers } });
const call = (name: string, expected: number, headers: Record<string, string>, method = 'getTopology', body = '{}', query = '') =>
  expectStatus(name, expected, { method: 'POST', path: `/api/call/${method}${query}`, body, headers });
const asSession = (s: string) => ({ [SESSION_HEADER]: s });
const body = (r: Reply) => JSON.parse(r.body);
const TOPOLOGY: Topology = {
  generatedAt: '2026-12-01T00:00:00.000Z',
  hostNetns: 1,
  containers: [],
  namespaces: [{ inode: 1, names: [], isHost: true, pids: [1], paths: [], interfaces: [] }],
  docker: { available: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'no socket' } },
  privileged: { available: false, mode: 'none' },
  engines: [],
  warnings: [],
  elapsedMs: 1,
};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'vss-server-'));
  const root = path.join(tmp, 'static');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>vss-index</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log("vss-app")');
  writeFileSync(path.join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(tmp, 'secret.txt'), SECRET); // beside the static dir: must stay unreachable
  symlinkSync('/etc', path.join(root, 'etc-link')); // a symlink out of the dir: must not be followed out
  writeFileSync(path.join(tmp, 'cap.pcap'), Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 1, 2, 3]));
  backend = new Backend();
  backend.handle('getTopology', async () => TOPOLOGY);
  backend.provideCaptureFiles(async (id) => (id === 'cap-1' ? path.join(tmp, 'cap.pcap') : null));
  srv = await createServer({ backend, staticDir: root, now: () => clock });
  port = srv.port;
  const r = await request(port, { method: 'POST', path: SESSION_PATH, body: JSON.stringify({ ticket: ticketOf(srv.url) }), headers: { 'content-type': 'application/json' } });
  S = JSON.parse(r.body).result?.session ?? '';
});

afterAll(async () => {
  await srv?.close();
  await backend?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('browser-mode server', () => {
  it('prints a link whose fragment holds a 32-byte single-use ticket; every new link holds a new one', () => {
    expect(srv.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/#${TICKET_PARAM}=[\\w-]{43}$`));
    expect(Buffer.from(ticketOf(srv.url), 'base64url')).toHaveLength(32);
    const more = [srv.newTicketUrl(), srv.newTicketUrl()].map(ticketOf);
    expect(new Set([ticketOf(srv.url), ...more]).size).toBe(3);
    expect(S).toMatch(/^[\w-]{43}$/);
    expect(S).not.toBe(ticketOf(srv.url));
  });

  it('serves the page and assets without a secret, gated by Host and Origin only, never setting a cookie', async () => {
    const page = await expectStatus('page, no secret', 200, { path: '/' });
    expect(page.body).toContain('vss-index');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const js = await expectStatus('asset, no secret', 200, { path: '/assets/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await expectStatus('css, no secret', 200, { path: '/assets/app.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await expectStatus('client route, SPA fallback', 200, { path: '/containers/web' })).body).toContain('vss-index');
    await expectStatus('missing asset', 404, { path: '/assets/missing.js' });
    await expectStatus('page, host localhost', 200, { path: '/', headers: { host: `localhost:${port}` } });
    await expectStatus('page, host [::1]', 200, { path: '/', headers: { host: `[::1]:${port}` } });
    await expectStatus('page, same Origin', 200, { path: '/', headers: { origin: `http://127.0.0.1:${port}` } });
    await expectStatus('page, foreign Host (rebinding)', 403, { path: '/', headers: { host: `evil.example:${port}` } });
    await expectStatus('page, loopback Host wrong port', 403, { path: '/', headers: { host: `127.0.0.1:${port + 1}` } });
    await expectStatus('asset, foreign Host', 403, { path: '/assets/app.js', headers: { host: `evil.example:${port}` } });
    await expectStatus('page, foreign Origin', 403, { path: '/', headers: { origin: 'http://evil.example' } });
    await expectStatus('page, Origin null', 403, { path: '/', headers: { origin: 'null' } });
    await expectStatus('POST to a static path', 405, { method: 'POST', path: '/' });
  });

  it('sends security headers on every response, refusals included', async () => {
    for (const p of ['/', '/assets/app.js', '/api/call/getTopology', SESSION_PATH]) {
      const r = await request(port, { path: p });
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${port}`);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['cache-control']).toBe('no-store');
      expect(r.headers['set-cookie']).toBeUndefined();
    }
  });

  it('never serves a file outside staticDir', async () => {
    const attempts = [
      '/../../etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/assets/..%2f..%2fsecret.txt',
      '/..%2fsecret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      '/etc-link/passwd',
      '/%00../secret.txt',
      '/%E0%A4%A',
    ];
    for (const p of attempts) {
      const r = await request(port, { path: p });
      table.push({ case: `traversal ${p}`, expected: r.status === 200 ? 200 : r.status, got: r.status });
      expect(r.body, p).not.toContain('root:x:0:0');
      expect(r.body, p).not.toContain(SECRET);
      // Either refused or the SPA's index.html: never another file.
      if (r.status === 200) expect(r.body, p).toContain('vss-index');
      else expect([400, 404], p).toContain(r.status);
    }
  });

  it('exchanges a ticket once for a session; reuse, unknown, expired and malformed tickets are refused', async () => {
    const ticket = ticketOf(srv.newTicketUrl());
    const first = await exchange('ticket, first use', 200, ticket, { origin: `http://127.0.0.1:${port}` });
    const session = body(first).result.session as string;
    expect(session).toMatch(/^[\w-]{43}$/);
    expect(session).not.toBe(ticket);
    const reuse = await exchange('ticket, second use', 403, ticket);
    expect(body(reuse)).toMatchObject({ ok: false, reason: 'used', error: { code: 'PERMISSION_DENIED' } });
    expect(body(reuse).error.message).toMatch(/already used.*press Enter in the terminal running vethscope serve/is);
    expect(body(await exchange('ticket, never issued', 403, 'A'.repeat(43)))).toMatchObject({ reason: 'unknown' });
    const t = ticketOf(srv.newTicketUrl());
    expect(body(await exchange('ticket, one char off', 403, t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A')))).toMatchObject({ reason: 'unknown' });
    await exchange('ticket, one char off did not spend the real one', 200, t);

    const late = ticketOf(srv.newTicketUrl());
    const onTime = ticketOf(srv.newTicketUrl());
    clock += TICKET_TTL_MS - 1;
    await exchange('ticket, 1 ms before it expires', 200, onTime);
    clock += 1;
    const expired = await exchange('ticket, expired', 403, late);
    expect(body(expired)).toMatchObject({ reason: 'expired' });
    expect(body(expired).error.message).toMatch(/expired.*press Enter/is);
    await exchange('ticket, expired then retried', 403, late);

    const fresh = ticketOf(srv.newTicketUrl());
    await exchange('ticket, foreign Origin', 403, fresh, { origin: 'http://evil.example' });
    await exchange('ticket, foreign Host', 403, fresh, { host: `evil.example:${port}` });
    await expectStatus('ticket in the query, not the body', 400, { method: 'POST', path: `${SESSION_PATH}?${TICKET_PARAM}=${fresh}` });
    await expectStatus('ticket, extra field', 400, { method: 'POST', path: SESSION_PATH, body: JSON.stringify({ ticket: fresh, admin: true }) });
    await expectStatus('ticket, bad JSON', 400, { method: 'POST', path: SESSION_PATH, body: '{nope' });
    await expectStatus('ticket, body too large', 413, { method: 'POST', path: SESSION_PATH, body: JSON.stringify({ ticket: 'x'.repeat(64 * 1024) }) });
    await expectStatus('ticket, PUT', 405, { method: 'PUT', path: SESSION_PATH, body: JSON.stringify({ ticket: fresh }) });
    await exchange('ticket refused by a gate is still good', 200, fresh);
  });

  it('checks a session: none 401, wrong 403, known 200', async () => {
    await expectStatus('session check, none', 401, { path: SESSION_PATH });
    await expectStatus('session check, wrong', 403, { path: SESSION_PATH, headers: asSession('A'.repeat(43)) });
    await expectStatus('session check, the ticket is not a session', 403, { path: SESSION_PATH, headers: asSession(ticketOf(srv.url)) });
    const ok = await expectStatus('session check, known', 200, { path: SESSION_PATH, headers: asSession(S) });
    expect(body(ok)).toEqual({ ok: true, result: {} });
    clock += 24 * 3600_000; // a session lives as long as the server: a tab open all day keeps working
    await expectStatus('session check, a day later', 200, { path: SESSION_PATH, headers: asSession(S) });
  });

  it('dispatches calls with Result JSON only for a session, and refuses bad requests', async () => {
    const T = ticketOf(srv.newTicketUrl());
    await call('API, no session', 401, {});
    await call('API, wrong session', 403, asSession('nope'));
    await call('API, session one char off', 403, asSession(S.slice(0, -1) + (S.endsWith('A') ? 'B' : 'A')));
    await call('API, a ticket instead of a session', 403, asSession(T));
    await call('API, session in the query (secrets never ride in URLs)', 401, {}, 'getTopology', '{}', `?session=${S}`);
    await call('API, old ?token= in the query', 401, {}, 'getTopology', '{}', `?token=${S}`);
    await call('API, session as a cookie', 401, { cookie: `vethscope=${S}; ${SESSION_HEADER}=${S}` });
    await call('API, right session, foreign Origin', 403, { ...asSession(S), origin: 'http://evil.example' });
    await call('API, right session, foreign Host', 403, { ...asSession(S), host: `attacker.test:${port}` });
    const topo = await call('API getTopology, right session', 200, { ...asSession(S), origin: `http://127.0.0.1:${port}` });
    expect(body(topo).ok).toBe(true);
    expect(body(topo).result).toEqual(TOPOLOGY);
    expect(topo.headers['content-type']).toBe('application/json; charset=utf-8');

    const unknown = await call('API unknown method', 200, asSession(S), 'rmRf');
    expect(body(unknown)).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method: rmRf' } });
    expect(body(await call('API __proto__ method', 200, asSession(S), '__proto__', ''))).toMatchObject({ ok: false });
    expect(body(await call('API invalid input', 200, asSession(S), 'getTopology', '{"extra":1}')).error.code).toBe('INVALID_INPUT');
    expect(body(await call('API bad JSON', 400, asSession(S), 'getTopology', '{nope'))).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const big = await call('API body > 1 MB', 413, asSession(S), 'validateFilter', JSON.stringify({ filter: 'x'.repeat(1024 * 1024 + 10) }));
    expect(body(big).ok).toBe(false);
    await expectStatus('API GET instead of POST', 405, { path: '/api/call/getTopology', headers: asSession(S) });
    await expectStatus('API unknown endpoint, no session', 401, { path: '/api/nope' });
    await expectStatus('API unknown endpoint', 404, { path: '/api/nope', headers: asSession(S) });
    await expectStatus('events path without upgrade', 426, { path: '/api/events', headers: asSession(S) });
  });

  it('refuses a doubled session header instead of guessing which one counts', async () => {
    // node:http joins repeated x- headers with ", "; the server counts them itself.
    const raw = await new Promise<number>((resolve, reject) => {
      const http = require('node:http') as typeof import('node:http');
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/call/getStatus' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.setHeader('host', `127.0.0.1:${port}`);
      req.setHeader(SESSION_HEADER, [S, S]);
      req.end('{}');
    });
    table.push({ case: 'API, two session headers (both right)', expected: 400, got: raw });
    expect(raw).toBe(400);
  });

  it('downloads a capture through a link that works once, for one capture, within a minute', async () => {
    await expectStatus('download link, no session', 401, { method: 'POST', path: '/api/downloads', body: '{"id":"cap-1"}' });
    await expectStatus('download link, wrong session', 403, { method: 'POST', path: '/api/downloads', body: '{"id":"cap-1"}', headers: asSession('x') });
    const none = await expectStatus('download link, unknown capture', 200, { method: 'POST', path: '/api/downloads', body: '{"id":"nope"}', headers: asSession(S) });
    expect(body(none)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expectStatus('download link, bad body', 400, { method: 'POST', path: '/api/downloads', body: '{"id":1}', headers: asSession(S) });
    const grant = await expectStatus('download link, right session', 200, { method: 'POST', path: '/api/downloads', body: '{"id":"cap-1"}', headers: asSession(S) });
    const link = body(grant).result.url as string;
    expect(link).toMatch(/^\/api\/downloads\/[\w-]{43}$/);
    expect(link).not.toContain(S);
    await expectStatus('download, HEAD does not spend the link', 405, { method: 'HEAD', path: link });
    const f = await expectStatus('download, first GET', 200, { path: link });
    expect(f.headers['content-type']).toBe('application/vnd.tcpdump.pcap');
    expect(f.headers['content-disposition']).toBe('attachment; filename="cap.pcap"');
    expect(f.headers['content-length']).toBe('7');
    await expectStatus('download, second GET', 410, { path: link });
    await expectStatus('download, link never issued', 404, { path: `/api/downloads/${'A'.repeat(43)}` });
    await expectStatus('download, the session as a link', 404, { path: `/api/downloads/${S}` });
    await expectStatus('download, foreign Host', 403, { path: link, headers: { host: `evil.example:${port}` } });
    const late = body(await request(port, { method: 'POST', path: '/api/downloads', body: '{"id":"cap-1"}', headers: asSession(S) })).result.url as string;
    clock += DOWNLOAD_TTL_MS;
    await expectStatus('download, expired link', 410, { path: late });
    await expectStatus('old download path with the session in the query', 401, { path: `/api/captures/cap-1/file?token=${S}` });
  });

  it('authenticates WebSockets by subprotocol, never by URL, and forwards backend events', async () => {
    const good = [EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + S];
    const cases: Array<[string, number, string, { headers?: Record<string, string>; protocols?: string[] }]> = [
      ['WS, no session', 401, '/api/events', { protocols: [EVENTS_PROTOCOL] }],
      ['WS, no subprotocol at all', 401, '/api/events', {}],
      ['WS, wrong session', 403, '/api/events', { protocols: [EVENTS_PROTOCOL, `${SESSION_PROTOCOL_PREFIX}wrong`] }],
      ['WS, session in the query', 401, `/api/events?session=${S}`, { protocols: [EVENTS_PROTOCOL] }],
      ['WS, old ?token= in the query', 401, `/api/events?token=${S}`, {}],
      ['WS, two sessions offered', 400, '/api/events', { protocols: [...good, `${SESSION_PROTOCOL_PREFIX}other`] }],
      ['WS, session without the events protocol', 400, '/api/events', { protocols: [SESSION_PROTOCOL_PREFIX + S] }],
      ['WS, session as a cookie', 401, '/api/events', { protocols: [EVENTS_PROTOCOL], headers: { cookie: `vethscope=${S}` } }],
      ['WS, foreign Origin', 403, '/api/events', { protocols: good, headers: { origin: 'http://evil.example' } }],
      ['WS, foreign Host', 403, '/api/events', { protocols: good, headers: { host: `evil.example:${port}` } }],
      ['WS, unknown path', 404, '/api/other', { protocols: good }],
    ];
    for (const [name, expected, p, opts] of cases) {
      const r = await openWs(port, p, opts);
      table.push({ case: name, expected, got: r.status });
      expect(r.status, name).toBe(expected);
    }
    const { ws, status, protocol } = await openWs(port, '/api/events', { protocols: good, headers: { origin: `http://127.0.0.1:${port}` } });
    table.push({ case: 'WS, right session', expected: 101, got: status });
    expect(status).toBe(101);
    expect(protocol).toBe(EVENTS_PROTOCOL); // the secret is never echoed back
    const got = new Promise<unknown>((resolve) => ws!.once('message', (d) => resolve(JSON.parse(String(d)))));
    const sample = { time: 1, intervalSec: 1, interfaces: [], containers: [] };
    backend.emit('rates', sample);
    expect(await got).toEqual({ event: 'rates', payload: sample });
    ws!.close();
  });

  it('tells its owner when a link is used, and opens sessions for in-process callers', async () => {
    const used: number[] = [];
    const own = await createServer({ backend, staticDir: tmp, onTicketUsed: () => used.push(1) });
    try {
      const r = await request(own.port, { method: 'POST', path: SESSION_PATH, body: JSON.stringify({ ticket: ticketOf(own.url) }) });
      expect(r.status).toBe(200);
      expect(used).toEqual([1]);
      const s = own.openSession();
      expect((await request(own.port, { path: SESSION_PATH, headers: asSession(s) })).status).toBe(200);
      // Sessions are per server: this one's session means nothing to the other.
      expect((await request(port, { path: SESSION_PATH, headers: asSession(s) })).status).toBe(403);
    } finally {
      await own.close();
    }
  });

  it('prints the table of cases', () => {
    console.log(`\nbrowser-mode server: ${table.length} cases\n` + table.map((r) => `${String(r.got).padEnd(4)} ${r.case}`).join('\n'));
    expect(table.every((r) => r.expected === r.got)).toBe(true);
    expect(table.length).toBeGreaterThan(80);
  });
});
