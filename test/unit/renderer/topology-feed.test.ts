import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { POLL_CONNECTED_MS, POLL_DISCONNECTED_MS, startTopologyFeed } from '../../../renderer/src/hooks/topologyFeed';
import type { Connection } from '../../../renderer/src/api/connection';
import type { VethscopeApi } from '../../../shared/api';
import type { Topology } from '../../../shared/topology';

const topo = (n: number) => ({ generatedAt: String(n), hostNetns: n }) as unknown as Topology;

function fakes(connected: boolean) {
  const listeners = new Map<string, (p: unknown) => void>();
  let polls = 0;
  let reply: () => Promise<unknown> = async () => ({ ok: true, result: topo(polls) });
  const api: VethscopeApi = {
    call: (async () => {
      polls++;
      return reply();
    }) as VethscopeApi['call'],
    on: ((event: string, l: (p: unknown) => void) => {
      listeners.set(event, l);
      return () => listeners.delete(event);
    }) as VethscopeApi['on'],
  };
  let up = connected;
  const connListeners = new Set<(c: boolean) => void>();
  const conn: Connection = { connected: () => up, onChange: (l) => (connListeners.add(l), () => connListeners.delete(l)) };
  const setUp = (v: boolean) => {
    up = v;
    for (const l of connListeners) l(v);
  };
  const got: Topology[] = [];
  const errors: unknown[] = [];
  const handlers = { onTopology: (t: Topology) => got.push(t), onError: (e: unknown) => errors.push(e), onSettled: () => undefined };
  return { api, conn, setUp, got, errors, handlers, polls: () => polls, push: (t: Topology) => listeners.get('topology')?.(t), hasListener: () => listeners.has('topology'), setReply: (f: () => Promise<unknown>) => (reply = f) };
}

describe('topology feed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls once at start, then only every 10 s while connected', async () => {
    const f = fakes(true);
    const feed = startTopologyFeed(f.api, f.conn, f.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(0);
    expect(f.polls()).toBe(1);
    expect(f.got).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(POLL_CONNECTED_MS - 10);
    expect(f.polls()).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(f.polls()).toBe(2);
    await vi.advanceTimersByTimeAsync(3 * POLL_CONNECTED_MS);
    expect(f.polls()).toBe(5);
    feed.stop();
  });

  it('a pushed topology is applied at once and postpones the next poll', async () => {
    const f = fakes(true);
    const feed = startTopologyFeed(f.api, f.conn, f.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(8000);
    f.push(topo(42));
    expect(f.got.at(-1)).toEqual(topo(42));
    await vi.advanceTimersByTimeAsync(9000); // 17 s since start, 9 s since the push
    expect(f.polls()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.polls()).toBe(2);
    feed.stop();
  });

  it('every 1 s while disconnected; back to 10 s, with an immediate catch-up poll, on reconnect', async () => {
    const f = fakes(false);
    const feed = startTopologyFeed(f.api, f.conn, f.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3 * POLL_DISCONNECTED_MS);
    expect(f.polls()).toBe(4);
    f.setUp(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.polls()).toBe(5); // catch-up
    await vi.advanceTimersByTimeAsync(POLL_CONNECTED_MS - 100);
    expect(f.polls()).toBe(5);
    f.setUp(false); // the socket dropped: fall back to 1 s from the last fresh data
    await vi.advanceTimersByTimeAsync(0);
    expect(f.polls()).toBe(6);
    await vi.advanceTimersByTimeAsync(POLL_DISCONNECTED_MS);
    expect(f.polls()).toBe(7);
    feed.stop();
  });

  it('the first open right after start needs no catch-up poll; a later first open does', async () => {
    const f = fakes(false);
    const feed = startTopologyFeed(f.api, f.conn, f.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(300);
    f.setUp(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.polls()).toBe(1);
    await vi.advanceTimersByTimeAsync(POLL_CONNECTED_MS);
    expect(f.polls()).toBe(2);
    feed.stop();
    const g = fakes(false);
    const late = startTopologyFeed(g.api, g.conn, g.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(5000);
    const before = g.polls();
    g.setUp(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(g.polls()).toBe(before + 1);
    late.stop();
  });

  it('never overlaps polls; errors are reported and polling goes on', async () => {
    const f = fakes(false);
    let release!: () => void;
    f.setReply(() => new Promise((r) => (release = () => r({ ok: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'down' } }))));
    const feed = startTopologyFeed(f.api, f.conn, f.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(5000);
    void feed.refresh();
    expect(f.polls()).toBe(1); // still the first, slow one
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.errors).toHaveLength(1);
    f.setReply(async () => ({ ok: true, result: topo(7) }));
    await vi.advanceTimersByTimeAsync(POLL_DISCONNECTED_MS);
    expect(f.polls()).toBe(2);
    expect(f.got.at(-1)).toEqual(topo(7));
    feed.stop();
  });

  it('stop() unsubscribes and cancels the timer', async () => {
    const f = fakes(true);
    const feed = startTopologyFeed(f.api, f.conn, f.handlers, () => Date.now());
    await vi.advanceTimersByTimeAsync(0);
    feed.stop();
    expect(f.hasListener()).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.polls()).toBe(1);
  });
});
