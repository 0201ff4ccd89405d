// Section 2: the served UI (`vethscope serve`, a real process) gives nothing without the exact
// session: a single-use ticket from the printed link buys one, secrets never ride in cookies or
// URLs, and a foreign Host/Origin is refused everywhere. Each case is printed with its status.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX, TICKET_PARAM } from '../../shared/browser-protocol';
import { record } from './metrics';
import { CLI, isRoot, waitFor } from './support';

interface RawReply {
  status: number;
  head: string;
  body: string;
}

/** One raw HTTP/1.1 exchange (we control every header byte). */
function raw(port: number, head: string, body = ''): Promise<RawReply> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      s.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
      const cut = buf.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : -3, head: cut < 0 ? buf : buf.slice(0, cut), body: cut < 0 ? '' : buf.slice(cut + 4) });
    };
    s.setTimeout(10_000, done);
    s.on('data', (c) => {
      buf += c.toString('latin1');
      // A 101 never ends by itself: the head is all there is to read.
      if (/^HTTP\/1\.1 101/.test(buf) && buf.includes('\r\n\r\n')) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.write(head.replace(/\n/g, '\r\n') + '\r\n' + body);
  });
}

describe.skipIf(!isRoot)('2. served UI gatekeeping (vethscope serve)', () => {
  let child: ChildProcess;
  let port = 0;
  let ticket = '';
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/vsx-serve-');
    child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--captures-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', () => undefined);
    const url = await waitFor('the serve URL', () => new RegExp(`http://127\\.0\\.0\\.1:(\\d+)/#${TICKET_PARAM}=(\\S+)`).exec(out), 60_000);
    port = Number(url[1]);
    ticket = url[2]!;
  }, 90_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every request without the exact session, tickets twice, secrets in cookies or URLs, foreign Host/Origin; sets no cookie', async () => {
    const H = `Host: 127.0.0.1:${port}`;
    const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\n${H}\n${extra}Connection: close\n`;
    const post = (path: string, body: string, extra = '', host = H) =>
      [`POST ${path} HTTP/1.1\n${host}\nContent-Type: application/json\nContent-Length: ${Buffer.byteLength(body)}\n${extra}Connection: close\n`, body] as const;
    const exchange = (t: string, extra = '', host = H) => post('/api/session', JSON.stringify({ ticket: t }), extra, host);
    const call = (extra: string, path = '/api/call/getStatus') => post(path, '{}', extra);
    const ws = (path: string, extra = '', host = H) =>
      `GET ${path} HTTP/1.1\n${host}\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Version: 13\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n${extra}`;
    const offer = (...p: string[]) => `Sec-WebSocket-Protocol: ${p.join(', ')}\n`;
    const swapCase = (s: string) => s.replace(/[a-z]/i, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

    type Case = { name: string; req: string | readonly [string, string]; want: number[] };
    const rows: string[] = [];
    const wrong: string[] = [];
    const cookies: string[] = [];
    let count = 0;
    const run = async (cases: Case[]) => {
      for (const c of cases) {
        const [head, body] = typeof c.req === 'string' ? [c.req, ''] : c.req;
        const r = await raw(port, head, body);
        count++;
        const ok = c.want.includes(r.status);
        rows.push(`${ok ? 'ok  ' : 'FAIL'} ${String(r.status).padStart(4)}  ${c.name}`);
        if (!ok) wrong.push(`${c.name}: got ${r.status}, want ${c.want.join('/')}`);
        if (/^set-cookie:/im.test(r.head)) cookies.push(c.name);
      }
    };

    // Before the ticket is used: gates that must refuse it without spending it.
    await run([
      { name: 'control: page without any secret (it holds none)', req: get('/'), want: [200, 404] },
      { name: 'control: page with the printed value as ?token= (ignored: no cookie set)', req: get(`/?token=${ticket}`), want: [200, 404] },
      { name: 'page, foreign Host', req: `GET / HTTP/1.1\nHost: evil.example:${port}\nConnection: close\n`, want: [403] },
      { name: 'page, Host 127.0.0.1.evil.example', req: `GET / HTTP/1.1\nHost: 127.0.0.1.evil.example:${port}\nConnection: close\n`, want: [403] },
      { name: 'page, Host without port', req: `GET / HTTP/1.1\nHost: 127.0.0.1\nConnection: close\n`, want: [403] },
      { name: 'page, no Host header', req: `GET / HTTP/1.0\n`, want: [400, 403] },
      { name: 'page, foreign Origin', req: get('/', 'Origin: http://evil.example\n'), want: [403] },
      { name: 'page, Origin null', req: get('/', 'Origin: null\n'), want: [403] },
      { name: 'ticket, foreign Origin', req: exchange(ticket, 'Origin: http://evil.example\n'), want: [403] },
      { name: 'ticket, foreign Host', req: exchange(ticket, '', `Host: evil.example:${port}`), want: [403] },
      { name: 'ticket, wrong', req: exchange('AAAAwrong'), want: [403] },
      { name: 'ticket, wrong case', req: exchange(swapCase(ticket)), want: [403] },
      { name: 'ticket, prefix', req: exchange(ticket.slice(0, -1)), want: [403] },
      { name: 'ticket, + suffix', req: exchange(`${ticket}x`), want: [403] },
      { name: 'ticket, empty', req: exchange(''), want: [400] },
      { name: 'ticket in the query (not in the body)', req: post(`/api/session?${TICKET_PARAM}=${ticket}`, ''), want: [400] },
      { name: 'ticket as a session header', req: call(`X-Vethscope-Session: ${ticket}\n`), want: [403] },
      { name: 'ticket, GET (exchange is a POST)', req: get(`/api/session?${TICKET_PARAM}=${ticket}`), want: [401] },
    ]);
    // The control: the printed link's ticket, exchanged once.
    const first = await raw(port, ...exchange(ticket));
    const session = (JSON.parse(first.body || '{}') as { result?: { session?: string } }).result?.session ?? '';
    rows.push(`${first.status === 200 && session ? 'ok  ' : 'FAIL'} ${String(first.status).padStart(4)}  control: the printed ticket, first use`);
    if (first.status !== 200 || !session) wrong.push(`control exchange: got ${first.status}`);
    const S = session || 'no-session';
    await run([
      { name: 'ticket, second use', req: exchange(ticket), want: [403] },
      { name: 'API, no session', req: call(''), want: [401] },
      { name: 'API, wrong session', req: call('X-Vethscope-Session: wrong\n'), want: [403] },
      { name: 'API, session in wrong case', req: call(`X-Vethscope-Session: ${swapCase(S)}\n`), want: [403] },
      { name: 'API, session prefix', req: call(`X-Vethscope-Session: ${S.slice(0, 8)}\n`), want: [403] },
      { name: 'API, empty session header', req: call('X-Vethscope-Session: \n'), want: [401] },
      { name: 'API, two session headers (both right)', req: call(`X-Vethscope-Session: ${S}\nX-Vethscope-Session: ${S}\n`), want: [400] },
      { name: 'API, two session headers (wrong first)', req: call(`X-Vethscope-Session: wrong\nX-Vethscope-Session: ${S}\n`), want: [400] },
      { name: 'API, session in the query', req: call('', `/api/call/getStatus?session=${S}`), want: [401] },
      { name: 'API, old ?token= in the query', req: call('', `/api/call/getStatus?token=${S}`), want: [401] },
      { name: 'API, old X-Vethscope-Token header', req: call(`X-Vethscope-Token: ${S}\n`), want: [401] },
      { name: 'API, session as a cookie', req: call(`Cookie: vethscope-${port}=${S}; vethscope=${S}\n`), want: [401] },
      { name: 'API, right session, foreign Origin', req: call(`X-Vethscope-Session: ${S}\nOrigin: http://evil.example\n`), want: [403] },
      { name: 'API, right session, foreign Host', req: post('/api/call/getStatus', '{}', `X-Vethscope-Session: ${S}\n`, `Host: evil.example:${port}`), want: [403] },
      { name: 'session check, wrong', req: get('/api/session', 'X-Vethscope-Session: wrong\n'), want: [403] },
      { name: 'download link, no session', req: post('/api/downloads', '{"id":"x"}'), want: [401] },
      { name: 'download, link never issued', req: get(`/api/downloads/${'A'.repeat(43)}`), want: [404] },
      { name: 'download, the session as a link', req: get(`/api/downloads/${S}`), want: [404] },
      { name: 'download, old path with ?token=', req: get(`/api/captures/x/file?token=${S}`), want: [401] },
      { name: 'WebSocket, no subprotocol', req: ws('/api/events'), want: [401] },
      { name: 'WebSocket, events protocol only', req: ws('/api/events', offer(EVENTS_PROTOCOL)), want: [401] },
      { name: 'WebSocket, wrong session', req: ws('/api/events', offer(EVENTS_PROTOCOL, `${SESSION_PROTOCOL_PREFIX}wrong`)), want: [403] },
      { name: 'WebSocket, session in wrong case', req: ws('/api/events', offer(EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + swapCase(S))), want: [403] },
      { name: 'WebSocket, two sessions', req: ws('/api/events', offer(EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + S, `${SESSION_PROTOCOL_PREFIX}x`)), want: [400] },
      { name: 'WebSocket, session without the events protocol', req: ws('/api/events', offer(SESSION_PROTOCOL_PREFIX + S)), want: [400] },
      { name: 'WebSocket, session in the query', req: ws(`/api/events?session=${S}`, offer(EVENTS_PROTOCOL)), want: [401] },
      { name: 'WebSocket, old ?token= in the query', req: ws(`/api/events?token=${S}`), want: [401] },
      { name: 'WebSocket, session as a cookie', req: ws('/api/events', `Cookie: vethscope-${port}=${S}\n`), want: [401] },
      { name: 'WebSocket, right session, foreign Origin', req: ws('/api/events', offer(EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + S) + 'Origin: http://evil.example\n'), want: [403] },
      { name: 'WebSocket, right session, foreign Host', req: ws('/api/events', offer(EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + S), `Host: evil.example:${port}`), want: [403] },
      { name: 'static traversal', req: get('/..%2f..%2fetc%2fpasswd'), want: [400, 404] },
      // Controls: the right session gets through, so the refusals above are not an artefact.
      { name: 'control: session check', req: get('/api/session', `X-Vethscope-Session: ${S}\n`), want: [200] },
      { name: 'control: API with the session', req: call(`X-Vethscope-Session: ${S}\n`), want: [200] },
      { name: 'control: WebSocket with the session', req: ws('/api/events', offer(EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + S)), want: [101] },
    ]);
    console.log(`[hardening] served UI cases (status, case):\n${rows.join('\n')}`);
    const controls = rows.filter((r) => r.includes('control')).length;
    record({
      section: '2 served UI',
      check: 'ticket / session / Host / Origin / WebSocket gate on a real `vethscope serve`; no Set-Cookie',
      inputs: count + 1,
      detail: `${count + 1 - controls} refusal cases + ${controls} controls; wrong: ${wrong.join('; ') || 'none'}; Set-Cookie: ${cookies.join(', ') || 'never'}`,
      ok: wrong.length === 0 && cookies.length === 0,
    });
    expect(wrong).toEqual([]);
    expect(cookies).toEqual([]);
  });
});
