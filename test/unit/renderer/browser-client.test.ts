import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBrowserClient, type SocketLike } from '../../../renderer/src/api/browser-client';
import { establishSession, takeTicket, type SessionEnv } from '../../../renderer/src/api/session';
import { EVENTS_PROTOCOL, SESSION_HEADER, SESSION_STORAGE_KEY } from '../../../shared/browser-protocol';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(
    public url: string,
    public protocols: string[],
  ) {}
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  drop() {
    this.onerror?.({});
    this.onclose?.({});
  }
  send(event: string, payload: unknown) {
    this.onmessage?.({ data: JSON.stringify({ event, payload }) });
  }
}

function setup(fetchImpl: typeof fetch = vi.fn(), session: string | Promise<string> = 'sekrit') {
  const sockets: FakeSocket[] = [];
  const client = createBrowserClient({
    baseUrl: 'http://127.0.0.1:4000',
    session,
    fetchImpl,
    socketFactory: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    backoffMs: { min: 100, max: 400 },
  });
  return { client, sockets };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('browser client: calls', () => {
  it('POSTs to /api/call/METHOD with the session header and JSON input, returns the Result', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: true, result: { valid: true } }));
    const { client } = setup(fetchImpl as unknown as typeof fetch);
    const r = await client.call('validateFilter', { filter: 'icmp' });
    expect(r).toEqual({ ok: true, result: { valid: true } });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:4000/api/call/validateFilter');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)[SESSION_HEADER]).toBe('sekrit');
    expect(JSON.parse(init.body as string)).toEqual({ filter: 'icmp' });
  });

  it('waits for a session still being exchanged, then sends it', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: true, result: 1 }));
    let give!: (s: string) => void;
    const { client } = setup(fetchImpl as unknown as typeof fetch, new Promise((r) => (give = r)));
    const pending = client.call('getStatus', {});
    await Promise.resolve();
    expect(fetchImpl).not.toHaveBeenCalled();
    give('later');
    await pending;
    const [, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect((init.headers as Record<string, string>)[SESSION_HEADER]).toBe('later');
  });

  it('asks for a single-use download link with a POST, never putting the session in a URL', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: true, result: { url: '/api/downloads/L1' } }));
    const { client } = setup(fetchImpl as unknown as typeof fetch);
    expect(await client.downloadLink('cap-1')).toEqual({ ok: true, result: { url: '/api/downloads/L1' } });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:4000/api/downloads');
    expect(init.method).toBe('POST');
    expect(JSON.parse(init.body as string)).toEqual({ id: 'cap-1' });
    expect(url).not.toContain('sekrit');
  });

  it("401/403 become a PERMISSION_DENIED error Result with the server's words (no throw)", async () => {
    for (const status of [401, 403]) {
      const { client } = setup((async () => json(status, { ok: false, error: { code: 'PERMISSION_DENIED', message: `why-${status}` } })) as unknown as typeof fetch);
      const r = await client.call('getStatus', {});
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('PERMISSION_DENIED');
        expect(r.error.message).toContain(String(status));
        expect(r.error.message).toContain(`why-${status}`);
      }
    }
    const bare = setup((async () => new Response('', { status: 401 })) as unknown as typeof fetch);
    expect(await bare.client.call('getStatus', {})).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
  });

  it('network failure and a non-Result body become INTERNAL error Results', async () => {
    const down = setup((async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch);
    const r1 = await down.client.call('getStatus', {});
    expect(r1).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(!r1.ok && r1.error.message).toContain('fetch failed');
    const odd = setup((async () => json(200, { hello: 1 })) as unknown as typeof fetch);
    expect(await odd.client.call('getStatus', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });
});

describe('browser client: events', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens one socket lazily, the session as a subprotocol and not in the URL, and dispatches events by name', () => {
    const { client, sockets } = setup();
    expect(sockets).toHaveLength(0);
    const got: unknown[] = [];
    client.on('topology', (t) => got.push(t));
    client.on('rates', () => got.push('rates'));
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toBe('ws://127.0.0.1:4000/api/events');
    expect(sockets[0]!.protocols).toEqual([EVENTS_PROTOCOL, 'vethscope.session.sekrit']);
    sockets[0]!.open();
    sockets[0]!.send('topology', { hostNetns: 1 });
    sockets[0]!.onmessage?.({ data: 'not json' }); // ignored, does not break the stream
    sockets[0]!.send('rates', {});
    expect(got).toEqual([{ hostNetns: 1 }, 'rates']);
  });

  it('reconnects with doubling backoff (capped), resets after a successful open, reports the connection state', () => {
    const { client, sockets } = setup();
    const states: boolean[] = [];
    client.onConnectionChange((up) => states.push(up));
    client.on('topology', () => undefined);
    sockets[0]!.open();
    expect(client.connected()).toBe(true);
    sockets[0]!.drop();
    expect(client.connected()).toBe(false);
    vi.advanceTimersByTime(99);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2); // after 100 ms
    sockets[1]!.drop();
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3); // after 200 ms
    sockets[2]!.drop();
    vi.advanceTimersByTime(400);
    expect(sockets).toHaveLength(4); // 400 ms
    sockets[3]!.drop();
    vi.advanceTimersByTime(400);
    expect(sockets).toHaveLength(5); // capped at 400 ms
    sockets[4]!.open();
    sockets[4]!.drop();
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(6); // reset to min after an open
    expect(states).toEqual([true, false, true, false]);
  });

  it('listeners survive a reconnect; unsubscribe and close stop everything', () => {
    const { client, sockets } = setup();
    const got: unknown[] = [];
    const off = client.on('status', (s) => got.push(s));
    sockets[0]!.drop();
    vi.advanceTimersByTime(100);
    sockets[1]!.open();
    sockets[1]!.send('status', 1);
    off();
    sockets[1]!.send('status', 2);
    expect(got).toEqual([1]);
    client.close();
    expect(sockets[1]!.closed).toBe(true);
    sockets[1]!.onclose?.({});
    vi.advanceTimersByTime(10_000);
    expect(sockets).toHaveLength(2); // no reconnect after close()
  });
});

describe('browser client: events before the session', () => {
  it('opens the socket only once the session is known', async () => {
    let give!: (s: string) => void;
    const { client, sockets } = setup(vi.fn() as unknown as typeof fetch, new Promise((r) => (give = r)));
    client.on('topology', () => undefined);
    expect(sockets).toHaveLength(0);
    give('late');
    await Promise.resolve();
    await Promise.resolve();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.protocols).toEqual([EVENTS_PROTOCOL, 'vethscope.session.late']);
    client.close();
  });
});

/** A fake page: address bar, history, sessionStorage, and a server that answers by a table. */
function page(hash: string, answers: Record<string, (init: RequestInit) => Response>, stored: string | null = null) {
  const loc = { hash, pathname: '/', search: '', origin: 'http://127.0.0.1:4000' };
  const replaced: string[] = [];
  const store = new Map<string, string>(stored ? [[SESSION_STORAGE_KEY, stored]] : []);
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const env: SessionEnv = {
    location: loc,
    history: {
      state: null,
      replaceState: (_s: unknown, _t: string, url?: string | URL | null) => {
        replaced.push(String(url));
        loc.hash = '';
      },
    },
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    fetchImpl: (async (url: string, init: RequestInit = {}) => {
      requests.push({ url, init });
      const key = `${init.method ?? 'GET'} ${url}`;
      const answer = answers[key];
      if (!answer) throw new TypeError(`fetch failed: ${key}`);
      return answer(init);
    }) as unknown as typeof fetch,
  };
  return { env, replaced, store, requests };
}
const EXCHANGE = 'POST http://127.0.0.1:4000/api/session';
const CHECK = 'GET http://127.0.0.1:4000/api/session';

describe('browser session: the printed link', () => {
  it('takes the ticket out of the address bar at once, keeping the rest of the fragment', () => {
    const p = page('#ticket=T1&view=map', {});
    expect(takeTicket(p.env)).toBe('T1');
    expect(p.replaced).toEqual(['/#view=map']);
    const q = page('#ticket=T2', {});
    expect(takeTicket(q.env)).toBe('T2');
    expect(q.replaced).toEqual(['/']);
    const none = page('', {});
    expect(takeTicket(none.env)).toBeNull();
    expect(none.replaced).toEqual([]);
  });

  it('exchanges the ticket in a POST body and keeps the session in sessionStorage', async () => {
    const p = page('', { [EXCHANGE]: () => json(200, { ok: true, result: { session: 'S1' } }) });
    expect(await establishSession(p.env, 'T1')).toEqual({ ok: true, session: 'S1' });
    expect(p.store.get(SESSION_STORAGE_KEY)).toBe('S1');
    expect(JSON.parse(p.requests[0]!.init.body as string)).toEqual({ ticket: 'T1' });
    for (const r of p.requests) expect(r.url).not.toMatch(/T1|S1/);
  });

  it('says why a refused ticket does not work: used, expired, unknown', async () => {
    for (const reason of ['used', 'expired', 'unknown'] as const) {
      const p = page('', { [EXCHANGE]: () => json(403, { ok: false, error: { code: 'PERMISSION_DENIED', message: 'x' }, reason }) });
      expect(await establishSession(p.env, 'T')).toEqual({ ok: false, problem: reason });
      expect(p.store.size).toBe(0);
    }
  });

  it('a reload reuses the stored session after checking it; a forgotten one is dropped ("ended")', async () => {
    const ok = page('', { [CHECK]: (init) => new Response('{}', { status: (init.headers as Record<string, string>)[SESSION_HEADER] === 'S1' ? 200 : 403 }) }, 'S1');
    expect(await establishSession(ok.env, null)).toEqual({ ok: true, session: 'S1' });
    const gone = page('', { [CHECK]: () => new Response('{}', { status: 403 }) }, 'OLD');
    expect(await establishSession(gone.env, null)).toEqual({ ok: false, problem: 'ended' });
    expect(gone.store.size).toBe(0);
  });

  it('the same link opened again in a tab that has a session keeps that session', async () => {
    const p = page('', {
      [EXCHANGE]: () => json(403, { ok: false, error: { code: 'PERMISSION_DENIED', message: 'x' }, reason: 'used' }),
      [CHECK]: () => new Response('{}', { status: 200 }),
    }, 'S1');
    expect(await establishSession(p.env, 'T1')).toEqual({ ok: true, session: 'S1' });
  });

  it('no link and no session: "no-link"; server down: "unreachable"', async () => {
    expect(await establishSession(page('', {}).env, null)).toEqual({ ok: false, problem: 'no-link' });
    expect(await establishSession(page('', {}).env, 'T1')).toEqual({ ok: false, problem: 'unreachable' });
  });
});
