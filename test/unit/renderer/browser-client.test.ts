import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBrowserClient, type SocketLike } from '../../../renderer/src/api/browser-client';
import { TOKEN_HEADER } from '../../../shared/browser-protocol';

class FakeSocket implements SocketLike {
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(public url: string) {}
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

function setup(fetchImpl: typeof fetch = vi.fn()) {
  const sockets: FakeSocket[] = [];
  const client = createBrowserClient({
    baseUrl: 'http://127.0.0.1:4000',
    token: 'sekrit',
    fetchImpl,
    socketFactory: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoffMs: { min: 100, max: 400 },
  });
  return { client, sockets };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('browser client: calls', () => {
  it('POSTs to /api/call/METHOD with the token header and JSON input, returns the Result', async () => {
    const fetchImpl = vi.fn(async () => json(200, { ok: true, result: { valid: true } }));
    const { client } = setup(fetchImpl as unknown as typeof fetch);
    const r = await client.call('validateFilter', { filter: 'icmp' });
    expect(r).toEqual({ ok: true, result: { valid: true } });
    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:4000/api/call/validateFilter');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>)[TOKEN_HEADER]).toBe('sekrit');
    expect(JSON.parse(init.body as string)).toEqual({ filter: 'icmp' });
  });

  it('401/403 become a PERMISSION_DENIED error Result (no throw)', async () => {
    for (const status of [401, 403]) {
      const { client } = setup((async () => new Response('', { status })) as unknown as typeof fetch);
      const r = await client.call('getStatus', {});
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('PERMISSION_DENIED');
        expect(r.error.message).toContain(String(status));
      }
    }
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

  it('opens one socket lazily with the token in the URL and dispatches events by name', () => {
    const { client, sockets } = setup();
    expect(sockets).toHaveLength(0);
    const got: unknown[] = [];
    client.on('topology', (t) => got.push(t));
    client.on('rates', () => got.push('rates'));
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toBe('ws://127.0.0.1:4000/api/events?token=sekrit');
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
