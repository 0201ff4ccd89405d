// Section 2: the served UI (`vethscope serve`, a real process) refuses every request that
// lacks the exact token or comes with a foreign Host/Origin; each case is printed with its status.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { record } from './metrics';
import { CLI, isRoot, waitFor } from './support';

/** One raw HTTP/1.1 exchange (we control every header byte); resolves with the status code. */
function raw(port: number, head: string, body = ''): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (code: number) => {
      s.destroy();
      resolve(code);
    };
    s.setTimeout(10_000, () => done(-1));
    s.on('data', (c) => {
      buf += c.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      if (m) done(Number(m[1]));
    });
    s.on('error', () => done(-2));
    s.on('close', () => done(/^HTTP\/1\.1 (\d{3})/.exec(buf) ? Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)![1]) : -3));
    s.write(head.replace(/\n/g, '\r\n') + '\r\n' + body);
  });
}

describe.skipIf(!isRoot)('2. served UI gatekeeping (vethscope serve)', () => {
  let child: ChildProcess;
  let port = 0;
  let token = '';
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/vsx-serve-');
    child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--captures-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', () => undefined);
    const url = await waitFor('the serve URL', () => /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(out), 60_000);
    port = Number(url[1]);
    token = url[2]!;
  }, 90_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses missing, wrong, near-miss and doubled tokens, foreign Host/Origin, and token-less WebSockets', async () => {
    const H = `Host: 127.0.0.1:${port}`;
    const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\n${H}\n${extra}Connection: close\n`;
    const call = (extra: string) => `POST /api/call/getStatus HTTP/1.1\n${H}\nContent-Type: application/json\nContent-Length: 2\n${extra}Connection: close\n`;
    const ws = (q: string, extra = '', host = H) => `GET /api/events${q} HTTP/1.1\n${host}\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n${extra}`;
    const swapCase = token.replace(/[a-z]/i, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
    const cases: Array<{ name: string; req: string; body?: string; want: number[] }> = [
      { name: 'page without token', req: get('/'), want: [401] },
      { name: 'page, wrong token', req: get('/?token=AAAAwrong'), want: [403] },
      { name: 'page, token in wrong case', req: get(`/?token=${swapCase}`), want: [403] },
      { name: 'page, token prefix', req: get(`/?token=${token.slice(0, -1)}`), want: [403] },
      { name: 'page, token + suffix', req: get(`/?token=${token}x`), want: [403] },
      { name: 'page, empty token', req: get('/?token='), want: [401] },
      { name: 'page, doubled token (wrong first)', req: get(`/?token=wrong&token=${token}`), want: [401, 403] },
      { name: 'page, doubled token (right first)', req: get(`/?token=${token}&token=wrong`), want: [401, 403] },
      { name: 'page, doubled token (both right)', req: get(`/?token=${token}&token=${token}`), want: [401, 403] },
      { name: 'page, token under another name', req: get(`/?Token=${token}`), want: [401] },
      { name: 'page, foreign Host', req: `GET /?token=${token} HTTP/1.1\nHost: evil.example:${port}\nConnection: close\n`, want: [403] },
      { name: 'page, Host 127.0.0.1.evil.example', req: `GET /?token=${token} HTTP/1.1\nHost: 127.0.0.1.evil.example:${port}\nConnection: close\n`, want: [403] },
      { name: 'page, Host without port', req: `GET /?token=${token} HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n`, want: [403] },
      { name: 'page, no Host header', req: `GET /?token=${token} HTTP/1.0\n`, want: [400, 403] },
      { name: 'page, foreign Origin', req: get(`/?token=${token}`, 'Origin: http://evil.example\n'), want: [403] },
      { name: 'page, Origin null', req: get(`/?token=${token}`, 'Origin: null\n'), want: [403] },
      { name: 'API, no token', req: call(''), body: '{}', want: [401] },
      { name: 'API, wrong token header', req: call('X-Vethscope-Token: wrong\n'), body: '{}', want: [403] },
      { name: 'API, token in wrong case', req: call(`X-Vethscope-Token: ${swapCase}\n`), body: '{}', want: [403] },
      { name: 'API, token prefix', req: call(`X-Vethscope-Token: ${token.slice(0, 8)}\n`), body: '{}', want: [403] },
      { name: 'API, empty token header', req: call('X-Vethscope-Token: \n'), body: '{}', want: [401] },
      { name: 'API, two token headers', req: call(`X-Vethscope-Token: ${token}\nX-Vethscope-Token: wrong\n`), body: '{}', want: [401, 403] },
      { name: 'API, wrong header + right query', req: `POST /api/call/getStatus?token=${token} HTTP/1.1\n${H}\nX-Vethscope-Token: wrong\nContent-Length: 2\nConnection: close\n`, body: '{}', want: [403] },
      { name: 'API, cookie only (cookies serve static files only)', req: call(`Cookie: vethscope-${port}=${token}\n`), body: '{}', want: [401] },
      { name: 'API, right token, foreign Origin', req: call(`X-Vethscope-Token: ${token}\nOrigin: http://evil.example\n`), body: '{}', want: [403] },
      { name: 'API, right token, foreign Host', req: `POST /api/call/getStatus HTTP/1.1\nHost: evil.example:${port}\nX-Vethscope-Token: ${token}\nContent-Length: 2\nConnection: close\n`, body: '{}', want: [403] },
      { name: 'download, no token', req: get('/api/captures/x/file'), want: [401] },
      { name: 'download, wrong token', req: get('/api/captures/x/file?token=wrong'), want: [403] },
      { name: 'WebSocket, no token', req: ws(''), want: [401] },
      { name: 'WebSocket, wrong token', req: ws('?token=wrong'), want: [403] },
      { name: 'WebSocket, token in wrong case', req: ws(`?token=${swapCase}`), want: [403] },
      { name: 'WebSocket, empty token', req: ws('?token='), want: [401] },
      { name: 'WebSocket, doubled token (right first)', req: ws(`?token=${token}&token=x`), want: [401, 403] },
      { name: 'WebSocket, right token, foreign Origin', req: ws(`?token=${token}`, 'Origin: http://evil.example\n'), want: [403] },
      { name: 'WebSocket, right token, foreign Host', req: ws(`?token=${token}`, '', `Host: evil.example:${port}`), want: [403] },
      { name: 'WebSocket, cookie only', req: ws('', `Cookie: vethscope-${port}=${token}\n`), want: [401] },
      { name: 'static traversal with the token', req: get(`/..%2f..%2fetc%2fpasswd?token=${token}`), want: [400, 404] },
      // Controls: the right token gets through, so the refusals above are not an artefact.
      { name: 'control: page with the token', req: get(`/?token=${token}`), want: [200, 404] },
      { name: 'control: API with the token', req: call(`X-Vethscope-Token: ${token}\n`), body: '{}', want: [200] },
      { name: 'control: WebSocket with the token', req: ws(`?token=${token}`), want: [101] },
    ];
    const rows: string[] = [];
    const wrong: string[] = [];
    for (const c of cases) {
      const status = await raw(port, c.req, c.body);
      const ok = c.want.includes(status);
      rows.push(`${ok ? 'ok  ' : 'FAIL'} ${String(status).padStart(4)}  ${c.name}`);
      if (!ok) wrong.push(`${c.name}: got ${status}, want ${c.want.join('/')}`);
    }
    console.log(`[hardening] served UI cases (status, case):\n${rows.join('\n')}`);
    const refusals = cases.filter((c) => !c.name.startsWith('control')).length;
    record({ section: '2 served UI', check: 'token / Host / Origin / WebSocket gate on a real `vethscope serve`', inputs: cases.length, detail: `${refusals} refusal cases + ${cases.length - refusals} controls; wrong: ${wrong.join('; ') || 'none'}`, ok: wrong.length === 0 });
    expect(wrong).toEqual([]);
  });
});
