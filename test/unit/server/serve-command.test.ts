// serveCommand's argument rules and lifecycle, with the real server on loopback.
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createServices, type BackendOptions } from '../../../electron/backend/create-backend';
import { listenForEnter, serveCommand, type ServeDeps } from '../../../electron/front-doors/cli/serve-command';
import { isLoopbackAddress } from '../../../electron/front-doors/browser/security';
import { SESSION_PATH, TICKET_PARAM } from '../../../shared/browser-protocol';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), isTTY: false } };
}

const LINK = new RegExp(`^http://127\\.0\\.0\\.1:\\d+/#${TICKET_PARAM}=[\\w-]{43}$`);
/** Exchange a printed link's ticket as the page would: the HTTP status. */
async function useLink(link: string): Promise<number> {
  const u = new URL(link);
  const ticket = new URLSearchParams(u.hash.slice(1)).get(TICKET_PARAM);
  const res = await fetch(`${u.origin}${SESSION_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }) });
  await res.arrayBuffer();
  return res.status;
}

/** A running `serve` with a fake terminal: press() is Enter, stop() a SIGTERM. */
async function startServe(tty: boolean) {
  const o = io();
  let stop!: (s: string) => void;
  let press: (() => void) | null = null;
  const enterPresses: ServeDeps['enterPresses'] = (onEnter) => {
    if (!tty) return null;
    press = onEnter;
    return () => (press = null);
  };
  const done = serveCommand(['--port', '0'], o.io, {
    staticDir: '/nonexistent-vss',
    createBackend: (opts) => createServices({ ...opts, env: { DOCKER_HOST: 'unix:///nonexistent/vss.sock' } }).backend,
    stopSignal: () => new Promise((r) => (stop = r)),
    enterPresses,
  });
  await vi.waitFor(() => expect(o.out.length).toBe(1), { timeout: 5000 });
  return { ...o, done, stop: (s: string) => stop(s), press: () => press?.(), listening: () => press !== null };
}

describe('serveCommand', () => {
  it('refuses non-loopback hosts unless --allow-remote', async () => {
    const o = io();
    expect(await serveCommand(['--host', '192.168.1.5'], o.io)).toBe(2);
    expect(o.err.join('')).toMatch(/not a loopback address.*--allow-remote/s);
    expect(o.out).toEqual([]);
  });

  it('rejects a bad port and unknown options', async () => {
    expect(await serveCommand(['--port', 'eighty'], io().io)).toBe(2);
    expect(await serveCommand(['--port', '70000'], io().io)).toBe(2);
    expect(await serveCommand(['--bogus'], io().io)).toBe(2);
  });

  it('passes --captures-dir to the backend, prints the URL first, closes the backend on stop', async () => {
    const o = io();
    let seen: BackendOptions | undefined;
    let closeSpy: ReturnType<typeof vi.spyOn> | undefined;
    let stop!: (s: string) => void;
    const done = serveCommand(['--port', '0', '--captures-dir', '/tmp/vss-caps'], o.io, {
      staticDir: '/nonexistent-vss',
      createBackend: (opts) => {
        seen = opts;
        const s = createServices({ ...opts, env: { DOCKER_HOST: 'unix:///nonexistent/vss.sock' } });
        closeSpy = vi.spyOn(s.backend, 'close');
        return s.backend;
      },
      stopSignal: () => new Promise((r) => (stop = r)),
    });
    await vi.waitFor(() => expect(o.out.length).toBe(1), { timeout: 5000 });
    expect(o.out[0]).toMatch(LINK);
    expect(seen?.capturesDir).toBe('/tmp/vss-caps');
    expect(await useLink(o.out[0]!)).toBe(200);
    stop('SIGTERM');
    expect(await done).toBe(0);
    expect(closeSpy).toHaveBeenCalledOnce();
    await expect(fetch(o.out[0]!)).rejects.toThrow(); // the port is closed
  });

  it('on a terminal, Enter prints a new link; every link works once; a used link is announced', async () => {
    const s = await startServe(true);
    expect(s.err.join('\n')).toMatch(/works once, within 5 minutes.*press Enter here for a new one/is);
    const first = s.out[0]!;
    expect(await useLink(first)).toBe(200);
    expect(s.err.join('\n')).toMatch(/a browser tab opened a session with a link/);
    expect(await useLink(first)).toBe(403); // a replay
    s.press();
    expect(s.out).toHaveLength(2);
    expect(s.out[1]).toMatch(LINK);
    expect(s.out[1]).not.toBe(first);
    expect(await useLink(s.out[1]!)).toBe(200);
    expect(await useLink(s.out[1]!)).toBe(403);
    s.stop('SIGINT');
    expect(await s.done).toBe(0);
    expect(s.listening()).toBe(false); // stopped listening to the terminal on shutdown
  });

  it('without a terminal it does not read stdin and says how to get a new link', async () => {
    const s = await startServe(false);
    expect(s.err.join('\n')).toMatch(/works once, within 5 minutes.*restart vethscope serve for a new one/is);
    expect(s.err.join('\n')).not.toMatch(/press Enter/);
    s.stop('SIGTERM');
    expect(await s.done).toBe(0);
  });

  it('listenForEnter: only a TTY is read, one call per line, until stopped', () => {
    const pipe = Object.assign(new PassThrough(), { isTTY: false });
    expect(listenForEnter(pipe, () => undefined)).toBeNull();
    expect(pipe.listenerCount('data')).toBe(0);
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const presses: number[] = [];
    const stop = listenForEnter(tty, () => presses.push(1))!;
    tty.write('\n');
    tty.write('anything typed\n');
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(presses).toHaveLength(2);
        stop();
        tty.write('\n');
        setImmediate(() => {
          expect(presses).toHaveLength(2);
          resolve();
        });
      }),
    );
  });

  it('classifies loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackAddress(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '127.0.0.256', 'localhost.evil.com', '128.0.0.1']) expect(isLoopbackAddress(h), h).toBe(false);
  });
});
