// Browser-mode server against a real Backend over real HTTP/WebSocket on 127.0.0.1.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/backend/create-backend';
import { createServer, type RunningServer } from '../../../electron/front-doors/browser/server';
import { openWs, request, type Reply } from './http-client';

const SECRET = 'vss-secret-outside-static-dir';
let tmp: string;
let services: Services;
let srv: RunningServer;
let port: number;
let T: string;
const table: Array<{ case: string; expected: number; got: number }> = [];

/** Request, record the case in the printed table, and assert the status. */
async function expectStatus(name: string, expected: number, opts: Parameters<typeof request>[1]): Promise<Reply> {
  const r = await request(port, opts);
  table.push({ case: name, expected, got: r.status });
  expect(r.status, `${name}: ${r.body.slice(0, 200)}`).toBe(expected);
  return r;
}

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
  services = createServices({ env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/vss.sock' } });
  services.backend.provideCaptureFiles(async (id) => (id === 'cap-1' ? path.join(tmp, 'cap.pcap') : null));
  srv = await createServer({ backend: services.backend, staticDir: root });
  port = srv.port;
  T = srv.token;
});

afterAll(async () => {
  await srv?.close();
  await services?.backend.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('browser-mode server', () => {
  it('prints a URL with a 32-byte base64url token on loopback', () => {
    expect(srv.url).toBe(`http://127.0.0.1:${port}/?token=${T}`);
    expect(Buffer.from(T, 'base64url')).toHaveLength(32);
  });

  it('gates the page by token, Host and Origin', async () => {
    await expectStatus('page, no token', 401, { path: '/' });
    await expectStatus('page, wrong token', 403, { path: '/?token=AAAA' });
    await expectStatus('page, token one char off', 403, { path: `/?token=${T.slice(0, -1)}${T.endsWith('A') ? 'B' : 'A'}` });
    const page = await expectStatus('page, right token', 200, { path: `/?token=${T}` });
    expect(page.body).toContain('vss-index');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    await expectStatus('page, host localhost', 200, { path: `/?token=${T}`, headers: { host: `localhost:${port}` } });
    await expectStatus('page, host [::1]', 200, { path: `/?token=${T}`, headers: { host: `[::1]:${port}` } });
    await expectStatus('page, foreign Host (rebinding)', 403, { path: `/?token=${T}`, headers: { host: `evil.example:${port}` } });
    await expectStatus('page, loopback Host wrong port', 403, { path: `/?token=${T}`, headers: { host: `127.0.0.1:${port + 1}` } });
    await expectStatus('page, foreign Origin', 403, { path: `/?token=${T}`, headers: { origin: 'http://evil.example' } });
  });

  it('sends security headers on every response, refusals included', async () => {
    for (const p of ['/', `/?token=${T}`, '/api/call/getTopology']) {
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
    }
  });

  it('serves assets with content types, SPA fallback, cookie only for static files', async () => {
    const page = await request(port, { path: `/?token=${T}` });
    const cookie = String(page.headers['set-cookie']?.[0]).split(';')[0]!;
    expect(page.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    await expectStatus('asset, no token, no cookie', 401, { path: '/assets/app.js' });
    const js = await expectStatus('asset, page cookie', 200, { path: '/assets/app.js', headers: { cookie } });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await expectStatus('css, token', 200, { path: `/assets/app.css?token=${T}` });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const spa = await expectStatus('client route, SPA fallback', 200, { path: `/containers/web?token=${T}` });
    expect(spa.body).toContain('vss-index');
    await expectStatus('missing asset', 404, { path: `/assets/missing.js?token=${T}` });
    await expectStatus('API with cookie only', 401, { method: 'POST', path: '/api/call/getTopology', headers: { cookie } });
    await expectStatus('POST to a static path', 405, { method: 'POST', path: `/?token=${T}` });
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
      const r = await request(port, { path: `${p}?token=${T}` });
      table.push({ case: `traversal ${p}`, expected: r.status === 200 ? 200 : r.status, got: r.status });
      expect(r.body, p).not.toContain('root:x:0:0');
      expect(r.body, p).not.toContain(SECRET);
      // Either refused or the SPA's index.html: never another file.
      if (r.status === 200) expect(r.body, p).toContain('vss-index');
      else expect([400, 404], p).toContain(r.status);
    }
  });

  it('dispatches calls with Result JSON and refuses bad requests', async () => {
    await expectStatus('API, no token', 401, { method: 'POST', path: '/api/call/getTopology', body: '{}' });
    await expectStatus('API, wrong token', 403, { method: 'POST', path: '/api/call/getTopology', body: '{}', headers: { 'x-vethscope-token': 'nope' } });
    await expectStatus('API, foreign Origin', 403, {
      method: 'POST', path: '/api/call/getTopology', body: '{}', headers: { 'x-vethscope-token': T, origin: 'http://evil.example' },
    });
    await expectStatus('API, foreign Host', 403, {
      method: 'POST', path: '/api/call/getTopology', body: '{}', headers: { 'x-vethscope-token': T, host: `attacker.test:${port}` },
    });
    const topo = await expectStatus('API getTopology, right token', 200, {
      method: 'POST', path: '/api/call/getTopology', body: '{}', headers: { 'x-vethscope-token': T, origin: `http://127.0.0.1:${port}` },
    });
    const parsed = JSON.parse(topo.body);
    expect(parsed.ok).toBe(true);
    expect(parsed.result.docker.available).toBe(false); // the nonexistent socket, reported as data
    expect(topo.headers['content-type']).toBe('application/json; charset=utf-8');
    const viaQuery = await expectStatus('API, token in query', 200, { method: 'POST', path: `/api/call/getTopology?token=${T}` });
    expect(JSON.parse(viaQuery.body).ok).toBe(true);

    const unknown = await expectStatus('API unknown method', 200, { method: 'POST', path: '/api/call/rmRf', body: '{}', headers: { 'x-vethscope-token': T } });
    expect(JSON.parse(unknown.body)).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method: rmRf' } });
    const proto = await expectStatus('API __proto__ method', 200, { method: 'POST', path: '/api/call/__proto__', headers: { 'x-vethscope-token': T } });
    expect(JSON.parse(proto.body).ok).toBe(false);
    const badInput = await expectStatus('API invalid input', 200, {
      method: 'POST', path: '/api/call/getTopology', body: '{"extra":1}', headers: { 'x-vethscope-token': T },
    });
    expect(JSON.parse(badInput.body).error.code).toBe('INVALID_INPUT');
    const bad = await expectStatus('API bad JSON', 400, { method: 'POST', path: '/api/call/getTopology', body: '{nope', headers: { 'x-vethscope-token': T } });
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const big = await expectStatus('API body > 1 MB', 413, {
      method: 'POST', path: '/api/call/validateFilter', body: JSON.stringify({ filter: 'x'.repeat(1024 * 1024 + 10) }), headers: { 'x-vethscope-token': T },
    });
    expect(JSON.parse(big.body).ok).toBe(false);
    await expectStatus('API GET instead of POST', 405, { path: '/api/call/getTopology', headers: { 'x-vethscope-token': T } });
    await expectStatus('API unknown endpoint', 404, { path: '/api/nope', headers: { 'x-vethscope-token': T } });
    await expectStatus('events path without upgrade', 426, { path: `/api/events?token=${T}` });
  });

  it('streams a capture file through the resolver', async () => {
    await expectStatus('capture file, no token', 401, { path: '/api/captures/cap-1/file' });
    const f = await expectStatus('capture file, token', 200, { path: `/api/captures/cap-1/file?token=${T}` });
    expect(f.headers['content-type']).toBe('application/vnd.tcpdump.pcap');
    expect(f.headers['content-disposition']).toBe('attachment; filename="cap.pcap"');
    expect(f.headers['content-length']).toBe('7');
    await expectStatus('capture file, unknown id', 404, { path: `/api/captures/nope/file?token=${T}` });
  });

  it('applies the same checks to WebSocket upgrades and forwards backend events', async () => {
    const cases: Array<[string, number, string, Record<string, string>?]> = [
      ['WS, no token', 401, '/api/events'],
      ['WS, wrong token', 403, '/api/events?token=wrong'],
      ['WS, foreign Origin', 403, `/api/events?token=${T}`, { origin: 'http://evil.example' }],
      ['WS, foreign Host', 403, `/api/events?token=${T}`, { host: `evil.example:${port}` }],
      ['WS, unknown path', 404, `/api/other?token=${T}`],
    ];
    for (const [name, expected, p, headers] of cases) {
      const r = await openWs(port, p, headers);
      table.push({ case: name, expected, got: r.status });
      expect(r.status, name).toBe(expected);
    }
    const { ws, status } = await openWs(port, `/api/events?token=${T}`, { origin: `http://127.0.0.1:${port}` });
    table.push({ case: 'WS, right token', expected: 101, got: status });
    expect(status).toBe(101);
    const got = new Promise<unknown>((resolve) => ws!.once('message', (d) => resolve(JSON.parse(String(d)))));
    const sample = { time: 1, intervalSec: 1, interfaces: [], containers: [] };
    services.backend.emit('rates', sample);
    expect(await got).toEqual({ event: 'rates', payload: sample });
    ws!.close();
  });

  it('prints the table of cases', () => {
    console.log(`\nbrowser-mode server: ${table.length} cases\n` + table.map((r) => `${String(r.got).padEnd(4)} ${r.case}`).join('\n'));
    expect(table.every((r) => r.expected === r.got)).toBe(true);
    expect(table.length).toBeGreaterThan(40);
  });
});
